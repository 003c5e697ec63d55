/*
 * exitwith CODE: exits with CODE, so that a parent can tell that exec
 * really ran this program with these arguments.
 */
#include "lib/user.h"

int main(int argc, char **argv)
{
    uint64_t code;

    if (argc != 2 || !parse_unsigned(argv[1], &code) || code > 255)
        return 255;
    return (int)code;
}
