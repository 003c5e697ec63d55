/*
 * Specification of dom0's shell's word splitter (tools/xl/command_words.h):
 * blanks, the three quotings of POSIX sh, comments, the limits and the
 * errors; and, as an independent reference, the system's POSIX shell
 * (/bin/sh) on every line of up to 6 characters over an alphabet of a
 * letter, blanks and the quoting characters, where no expansion can
 * apply.  Which of those lines are malformed, the host C library's
 * wordexp(3) (WRDE_NOCMD) says, as sh would stop at the first; the words
 * come from sh, as glibc's wordexp ends a word after an empty quoted
 * string that opens it (''a gives "" and "a"; sh gives "a").
 */
#define _DEFAULT_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wordexp.h>
#include <pvmon/errno.h>
#include <tools/xl/command_words.h>

#include "suites.h"

static struct command_words words;

static int split(const char *line)
{
    return command_words_split(&words, line, strlen(line));
}

static void assert_words(const char *line, unsigned int count, const char *const *expected)
{
    ck_assert_int_eq(split(line), 0);
    ck_assert_ptr_null(words.error);
    ck_assert_uint_eq(words.count, count);
    for (unsigned int index = 0; index < count; index++)
        ck_assert_str_eq(words.word[index], expected[index]);
    ck_assert_ptr_null(words.word[count]);
}

START_TEST(blanks_separate_words_and_runs_of_them_count_once)
{
    const char *const expected[] = { "xl", "mem-set", "linux", "256" };

    assert_words("  xl \t mem-set   linux\t256 \r\n", 4, expected);
}
END_TEST

START_TEST(an_empty_or_blank_line_has_no_words)
{
    assert_words("", 0, NULL);
    assert_words(" \t ", 0, NULL);
}
END_TEST

START_TEST(single_quotes_keep_everything_literally)
{
    const char *const expected[] = { "xl", "a \\\" b" };

    assert_words("xl 'a \\\" b'", 2, expected);
}
END_TEST

START_TEST(double_quotes_keep_blanks_and_backslash_escapes_only_quote_and_backslash)
{
    const char *const expected[] = { "echo", "a \"b\" \\ \\n '" };

    assert_words("echo \"a \\\"b\\\" \\\\ \\n '\"", 2, expected);
}
END_TEST

START_TEST(a_backslash_outside_quotes_takes_the_next_character)
{
    const char *const expected[] = { "a b", "'", "\"", "\\" };

    assert_words("a\\ b \\' \\\" \\\\", 4, expected);
}
END_TEST

START_TEST(quoted_and_unquoted_parts_next_to_each_other_make_one_word)
{
    const char *const expected[] = { "xl", "create", "extra=\"console=hvc0 quiet\"" };

    assert_words("xl create extra='\"console=hvc0 quiet\"'", 3, expected);
    assert_words("xl create extra=\\\"console=hvc0\" \"quiet\\\"", 3, expected);
}
END_TEST

START_TEST(empty_quotes_make_an_empty_word)
{
    const char *const expected[] = { "a", "", "", "b" };

    assert_words("a '' \"\" b", 4, expected);
}
END_TEST

START_TEST(a_hash_starting_a_word_starts_a_comment)
{
    const char *const expected[] = { "xl", "list#1", "#2" };

    assert_words("xl list#1 '#2' # the rest 'unterminated", 3, expected);
}
END_TEST

START_TEST(an_unterminated_single_quote_is_invalid)
{
    ck_assert_int_eq(split("xl 'list"), -XEN_EINVAL);
    ck_assert_str_eq(words.error, "unterminated single quote");
    ck_assert_uint_eq(words.count, 0);
    ck_assert_ptr_null(words.word[0]);
}
END_TEST

START_TEST(an_unterminated_double_quote_is_invalid)
{
    ck_assert_int_eq(split("xl \"list\\\""), -XEN_EINVAL);
    ck_assert_str_eq(words.error, "unterminated double quote");
}
END_TEST

START_TEST(a_backslash_ending_the_line_is_invalid)
{
    ck_assert_int_eq(split("xl list\\"), -XEN_EINVAL);
    ck_assert_str_eq(words.error, "backslash at the end of the line");
}
END_TEST

START_TEST(a_nul_byte_in_the_line_is_invalid)
{
    ck_assert_int_eq(command_words_split(&words, "xl\0list", 7), -XEN_EINVAL);
    ck_assert_str_eq(words.error, "NUL byte in the line");
}
END_TEST

START_TEST(thirty_two_words_fit_and_thirty_three_do_not)
{
    char line[2 * (COMMAND_WORDS_MAX + 1) + 1];

    for (unsigned int index = 0; index < COMMAND_WORDS_MAX + 1; index++) {
        line[2 * index] = 'w';
        line[2 * index + 1] = ' ';
    }
    line[2 * COMMAND_WORDS_MAX] = '\0';
    ck_assert_int_eq(split(line), 0);
    ck_assert_uint_eq(words.count, COMMAND_WORDS_MAX);
    line[2 * COMMAND_WORDS_MAX] = '\'';
    line[2 * COMMAND_WORDS_MAX + 1] = '\'';
    line[2 * COMMAND_WORDS_MAX + 2] = '\0';
    ck_assert_int_eq(split(line), -XEN_E2BIG);
    ck_assert_str_eq(words.error, "more than 32 words");
}
END_TEST

START_TEST(a_line_longer_than_the_maximum_is_too_big)
{
    char line[COMMAND_WORDS_LINE_MAX + 2];

    memset(line, 'x', COMMAND_WORDS_LINE_MAX);
    line[COMMAND_WORDS_LINE_MAX] = '\0';
    ck_assert_int_eq(split(line), 0);
    ck_assert_uint_eq(strlen(words.word[0]), COMMAND_WORDS_LINE_MAX);
    line[COMMAND_WORDS_LINE_MAX] = 'x';
    line[COMMAND_WORDS_LINE_MAX + 1] = '\0';
    ck_assert_int_eq(split(line), -XEN_E2BIG);
}
END_TEST

/* Every line of up to SHORT_LINE_MAX characters over a letter, the blanks and the quoting characters. */
#define SHORT_LINE_MAX 6
#define SHORT_LINE_ALPHABET "a '\"\\\t"
#define SCRIPT_PATH_MAX 64

static unsigned int short_line_count(void)
{
    unsigned int count = 0, combinations = 1;

    for (unsigned int length = 0; length <= SHORT_LINE_MAX; length++) {
        count += combinations;
        combinations *= sizeof(SHORT_LINE_ALPHABET) - 1;
    }
    return count;
}

static void short_line(unsigned int number, char *line)
{
    const unsigned int alphabet = sizeof(SHORT_LINE_ALPHABET) - 1;
    unsigned int length = 0, combinations = 1;

    while (number >= combinations) {
        number -= combinations;
        combinations *= alphabet;
        length++;
    }
    for (unsigned int position = 0; position < length; position++) {
        line[position] = SHORT_LINE_ALPHABET[number % alphabet];
        number /= alphabet;
    }
    line[length] = '\0';
}

static bool wordexp_accepts(const char *line)
{
    wordexp_t expansion;
    bool accepted = wordexp(line, &expansion, WRDE_NOCMD) == 0;

    if (accepted)
        wordfree(&expansion);
    return accepted;
}

/* Our words of the last split as the script below prints them: <w1><w2>... */
static void format_words(char *text, size_t size)
{
    size_t length = 0;

    text[0] = '\0';
    for (unsigned int index = 0; index < words.count; index++)
        length += (size_t)snprintf(text + length, size - length, "<%s>", words.word[index]);
}

START_TEST(every_short_line_splits_as_the_shell_splits_it)
{
    char script_path[SCRIPT_PATH_MAX] = "/tmp/pvmon-command-words-XXXXXX", command[SCRIPT_PATH_MAX + 8];
    char line[SHORT_LINE_MAX + 1], ours[8 * SHORT_LINE_MAX + 8], shells[8 * SHORT_LINE_MAX + 8];
    unsigned int count = short_line_count(), compared = 0;
    int descriptor = mkstemp(script_path);
    FILE *script = descriptor < 0 ? NULL : fdopen(descriptor, "w");
    FILE *shell;

    ck_assert_ptr_nonnull(script);
    fprintf(script, "f() { for w; do printf '<%%s>' \"$w\"; done; printf '\\n'; }\n");
    for (unsigned int number = 0; number < count; number++) {
        short_line(number, line);
        if (wordexp_accepts(line)) {
            fprintf(script, "f %s\n", line);
            continue;
        }
        ck_assert_msg(split(line) == -XEN_EINVAL, "[%s]: wordexp refuses it, we do not", line);
    }
    ck_assert_int_eq(fclose(script), 0);
    snprintf(command, sizeof(command), "sh %s", script_path);
    shell = popen(command, "r");
    ck_assert_ptr_nonnull(shell);
    for (unsigned int number = 0; number < count; number++) {
        short_line(number, line);
        if (!wordexp_accepts(line))
            continue;
        ck_assert_msg(fgets(shells, sizeof(shells), shell) != NULL, "sh ended before [%s]", line);
        shells[strcspn(shells, "\n")] = '\0';
        ck_assert_msg(split(line) == 0, "[%s]: the shell splits it, we refuse it: %s", line, words.error);
        format_words(ours, sizeof(ours));
        ck_assert_msg(strcmp(ours, shells) == 0, "[%s]: we split it as %s, the shell as %s", line, ours, shells);
        compared++;
    }
    pclose(shell);
    unlink(script_path);
    ck_assert_uint_gt(compared, count / 4);
}
END_TEST

static Suite *command_words_suite(void)
{
    Suite *suite = suite_create("command_words");
    TCase *test_case = tcase_create("command_words");

    tcase_set_timeout(test_case, 60);
    tcase_add_test(test_case, blanks_separate_words_and_runs_of_them_count_once);
    tcase_add_test(test_case, an_empty_or_blank_line_has_no_words);
    tcase_add_test(test_case, single_quotes_keep_everything_literally);
    tcase_add_test(test_case, double_quotes_keep_blanks_and_backslash_escapes_only_quote_and_backslash);
    tcase_add_test(test_case, a_backslash_outside_quotes_takes_the_next_character);
    tcase_add_test(test_case, quoted_and_unquoted_parts_next_to_each_other_make_one_word);
    tcase_add_test(test_case, empty_quotes_make_an_empty_word);
    tcase_add_test(test_case, a_hash_starting_a_word_starts_a_comment);
    tcase_add_test(test_case, an_unterminated_single_quote_is_invalid);
    tcase_add_test(test_case, an_unterminated_double_quote_is_invalid);
    tcase_add_test(test_case, a_backslash_ending_the_line_is_invalid);
    tcase_add_test(test_case, a_nul_byte_in_the_line_is_invalid);
    tcase_add_test(test_case, thirty_two_words_fit_and_thirty_three_do_not);
    tcase_add_test(test_case, a_line_longer_than_the_maximum_is_too_big);
    tcase_add_test(test_case, every_short_line_splits_as_the_shell_splits_it);
    suite_add_tcase(suite, test_case);
    return suite;
}

REGISTER_SUITE(command_words_suite)
