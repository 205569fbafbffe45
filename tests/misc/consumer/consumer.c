/* A program outside the tree that uses the installed library. */
#include <sampo.h>
#include <stdio.h>

int main(void)
{
    sampo_ctx *ctx;
    if (sampo_ctx_create(&ctx, NULL) != SAMPO_OK)
        return 1;
    uint32_t token;
    sampo_key_token(UINT64_C(0x29a6c86981ad933c), 1, &token, NULL);
    sampo_ctx_destroy(ctx);
    printf("consumer: libsampo %s, token %08x\n", sampo_version_string(), token);
    return token == 0xa35d6d82u && sampo_version_number() == SAMPO_VERSION_NUMBER ? 0 : 1;
}
