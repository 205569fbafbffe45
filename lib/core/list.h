/* list.h - the one intrusive doubly-linked list of the library.
 *
 * A node (sampo__link) is embedded in the object it links; the list keeps
 * head, tail and count.  Used for the LRU order of subflows, the members
 * of a session and of a connection, and the sessions in id order. */
#ifndef SAMPO_CORE_LIST_H
#define SAMPO_CORE_LIST_H

#include <stddef.h>
#include <stdint.h>

typedef struct sampo__link {
    struct sampo__link *prev, *next;
} sampo__link;

typedef struct sampo__list {
    sampo__link *head, *tail;
    uint32_t n;
} sampo__list;

/* The object that embeds link `l` as member `member`, or NULL. */
#define SAMPO__ENTRY(l, type, member) \
    ((l) ? (type *)(void *)((char *)(l)-offsetof(type, member)) : (type *)NULL)

/* Insert `l` after `after` (NULL: at the head). */
static inline void sampo__list_insert_after(sampo__list *list, sampo__link *after, sampo__link *l)
{
    l->prev = after;
    l->next = after ? after->next : list->head;
    if (l->next)
        l->next->prev = l;
    else
        list->tail = l;
    if (after)
        after->next = l;
    else
        list->head = l;
    list->n++;
}

static inline void sampo__list_append(sampo__list *list, sampo__link *l)
{
    sampo__list_insert_after(list, list->tail, l);
}

static inline void sampo__list_remove(sampo__list *list, sampo__link *l)
{
    if (l->prev)
        l->prev->next = l->next;
    else
        list->head = l->next;
    if (l->next)
        l->next->prev = l->prev;
    else
        list->tail = l->prev;
    l->prev = l->next = NULL;
    list->n--;
}

#endif
