/* The parent project's program: links sampo::sampo, built in the same tree. */
#include <sampo.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    sampo_ctx *ctx = NULL;
    if (sampo_ctx_create(&ctx, NULL) != SAMPO_OK || !ctx) {
        fprintf(stderr, "outer: sampo_ctx_create failed\n");
        return 1;
    }
    sampo_ctx_destroy(ctx);
    if (strcmp(sampo_version_string(), SAMPO_VERSION_STRING) != 0) {
        fprintf(stderr, "outer: library %s, header %s\n", sampo_version_string(),
                SAMPO_VERSION_STRING);
        return 1;
    }
    printf("outer: libsampo %s, context created and destroyed\n", sampo_version_string());
    return 0;
}
