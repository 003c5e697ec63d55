/*
 * The xl.cfg parser (syntax, keys and messages in xl_config.h): a lexer
 * with libxlu's tokens (tools/libs/util/libxlu_cfg_l.l) under a recursive
 * descent over libxlu's grammar (libxlu_cfg_y.y: file, stmt, value,
 * valuelist, nlok), which applies each setting to the configuration as it
 * is read rather than keeping a list of settings: a key set again starts
 * over (libxlu's lookup finds the last setting), += appends.  Values are
 * checked as xl's parse_config_data reads them (tools/xl/xl_parse.c) and
 * with libxlu's accessors' messages (libxlu_cfg.c: xlu_cfg_get_bounded_long,
 * find_atom, xlu_cfg_get_list).  The disk and vif specs are the domains
 * file's (domain_config_parse_disk, domain_config_parse_vif).
 *
 * The file is untrusted: every read is checked against size, every copy
 * against its field, and each byte is looked at a bounded number of times.
 * The first error stops the parse.
 */
#include <stdarg.h>
#include <pvmon/errno.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include "xl_config.h"

#define VALUE_SIZE CONFIG_COMMAND_LINE_SIZE /* the longest field a string goes to */
#define NEAR_TEXT_SIZE 40

enum token_kind {
    TOKEN_END,
    TOKEN_NEWLINE,
    TOKEN_IDENTIFIER,
    TOKEN_NUMBER,
    TOKEN_STRING,
    TOKEN_COMMA,
    TOKEN_OPEN,
    TOKEN_CLOSE,
    TOKEN_ASSIGN,
    TOKEN_APPEND,
    TOKEN_SEMICOLON,
    TOKEN_INVALID,   /* text outside the syntax, for its message */
};

struct token {
    enum token_kind kind;
    unsigned int line;
    const char *start;        /* in the file, for messages */
    size_t length;
    char value[VALUE_SIZE];   /* an identifier, number or dequoted string */
    bool too_long;            /* value did not fit */
};

enum key_kind { KEY_NUMBER, KEY_STRING, KEY_LIST };

struct key;

struct parser {
    const char *file_name;
    const char *text;
    uint64_t size;
    uint64_t offset;
    unsigned int line;
    xl_config_report report;
    void *report_context;
    struct xl_domain_config *config;
    char root[VALUE_SIZE];
    char extra[VALUE_SIZE];
    bool command_line_set, memory_set, maxmem_set;
    struct token token;
};

/* How a key's value is applied: an atom (number or string) or one list item. */
typedef bool (*apply_value)(struct parser *parser, const struct key *key, const struct token *value, bool append);

struct key {
    const char *name;
    enum key_kind kind;
    apply_value apply;
    void (*start_list)(struct parser *parser); /* KEY_LIST: on '=' */
};

/* --- messages ------------------------------------------------------------------------ */

static void report_line(struct parser *parser, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* One line, whatever the file holds: its control characters (a "\n" in a string...) shown as '?'. */
static void report_line(struct parser *parser, const char *format, ...)
{
    char message[XL_CONFIG_MESSAGE_SIZE];
    va_list arguments;

    if (parser->report == NULL)
        return;
    va_start(arguments, format);
    format_string_va(message, sizeof(message), format, arguments);
    va_end(arguments);
    for (char *c = message; *c != '\0'; c++)
        if ((unsigned char)*c < ' ' || *c == 0x7f)
            *c = '?';
    parser->report(parser->report_context, message);
}

/* libxlu's xlu__cfg_yyerror: "FILE:LINE: config parsing error near `TEXT': WHAT". */
static bool syntax_error(struct parser *parser, const struct token *token, const char *what)
{
    size_t length = token->length < NEAR_TEXT_SIZE ? token->length : NEAR_TEXT_SIZE;

    if (token->kind == TOKEN_NEWLINE)
        report_line(parser, "%s:%u: config parsing error near <newline>: %s", parser->file_name, token->line, what);
    else if (token->kind == TOKEN_END)
        report_line(parser, "%s:%u: config parsing error near end of file: %s", parser->file_name, token->line,
                    what);
    else
        report_line(parser, "%s:%u: config parsing error near `%.*s': %s", parser->file_name, token->line,
                    (int)length, token->start, what);
    return false;
}

/* --- the lexer: libxlu_cfg_l.l's tokens ------------------------------------------------ */

static bool at_end(const struct parser *parser)
{
    return parser->offset >= parser->size;
}

static char peek(const struct parser *parser)
{
    return at_end(parser) ? '\0' : parser->text[parser->offset];
}

static bool is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_identifier_char(char c)
{
    return is_lower(c) || is_digit(c) || c == '.' || c == '_';
}

static bool is_number_char(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || c == 'x';
}

/* Appends c to the token's value, remembering if it did not fit. */
static void append_value(struct token *token, size_t *length, char c)
{
    if (*length + 1 < sizeof(token->value))
        token->value[(*length)++] = c;
    else
        token->too_long = true;
}

static void read_word(struct parser *parser, struct token *token, bool (*belongs)(char))
{
    size_t length = 0;

    while (!at_end(parser) && belongs(peek(parser)))
        append_value(token, &length, parser->text[parser->offset++]);
    token->value[length] = '\0';
}

/* The character after a backslash, or '\0' for one xl.cfg files may not use. */
static char escaped_char(char c)
{
    static const char escapes[][2] = {
        { '"', '"' }, { '\'', '\'' }, { '\\', '\\' }, { 'a', '\a' }, { 'b', '\b' },
        { 'f', '\f' }, { 'n', '\n' }, { 'r', '\r' }, { 't', '\t' }, { 'v', '\v' },
    };

    for (size_t index = 0; index < sizeof(escapes) / sizeof(escapes[0]); index++)
        if (escapes[index][0] == c)
            return escapes[index][1];
    return '\0';
}

/* How far the token has gone in the file, for messages. */
static size_t token_extent(const struct parser *parser, const struct token *token)
{
    return (size_t)(parser->offset - (uint64_t)(token->start - parser->text));
}

/* A quoted string on one line, dequoted into the token's value. */
static bool read_string(struct parser *parser, struct token *token)
{
    char quote = parser->text[parser->offset++];
    size_t length = 0;

    for (;;) {
        char c = peek(parser);

        if (at_end(parser) || c == '\n' || c == '\0') {
            token->length = token_extent(parser, token);
            return syntax_error(parser, token, "lexical error");
        }
        parser->offset++;
        if (c == quote)
            break;
        if (c == '\\') {
            char escaped = at_end(parser) ? '\0' : escaped_char(peek(parser));

            token->length = token_extent(parser, token) + (at_end(parser) ? 0 : 1);
            if (escaped == '\0')
                return syntax_error(parser, token, "invalid character after backslash in quoted string");
            parser->offset++;
            c = escaped;
        }
        append_value(token, &length, c);
    }
    token->value[length] = '\0';
    return true;
}

/* libxlu's lexerr state: the offending character and what follows it up to a blank. */
static bool lexical_error(struct parser *parser, struct token *token)
{
    while (!at_end(parser) && peek(parser) != ' ' && peek(parser) != '\t' && peek(parser) != '\n')
        parser->offset++;
    token->kind = TOKEN_INVALID;
    token->length = token_extent(parser, token);
    return syntax_error(parser, token, "lexical error");
}

static bool read_punctuation(struct parser *parser, struct token *token)
{
    static const struct { char c; enum token_kind kind; } single[] = {
        { ',', TOKEN_COMMA }, { '[', TOKEN_OPEN }, { ']', TOKEN_CLOSE },
        { '=', TOKEN_ASSIGN }, { ';', TOKEN_SEMICOLON }, { '\n', TOKEN_NEWLINE },
    };
    char c = peek(parser);

    if (c == '+' && parser->offset + 1 < parser->size && parser->text[parser->offset + 1] == '=') {
        parser->offset += 2;
        token->kind = TOKEN_APPEND;
        return true;
    }
    for (size_t index = 0; index < sizeof(single) / sizeof(single[0]); index++)
        if (single[index].c == c) {
            parser->offset++;
            token->kind = single[index].kind;
            if (c == '\n')
                parser->line++;
            return true;
        }
    return lexical_error(parser, token);
}

/* The next token into parser->token; false (reported) for a lexical error. */
static bool next_token(struct parser *parser)
{
    struct token *token = &parser->token;
    bool read;

    while (peek(parser) == ' ' || peek(parser) == '\t')
        parser->offset++;
    if (peek(parser) == '#' && !at_end(parser))
        while (!at_end(parser) && peek(parser) != '\n')
            parser->offset++;
    token->line = parser->line;
    token->start = parser->text + parser->offset;
    token->too_long = false;
    token->value[0] = '\0';
    if (at_end(parser)) {
        token->kind = TOKEN_END;
        token->length = 0;
        return true;
    }
    if (is_lower(peek(parser))) {
        token->kind = TOKEN_IDENTIFIER;
        read_word(parser, token, is_identifier_char);
        read = true;
    } else if (is_digit(peek(parser))) {
        token->kind = TOKEN_NUMBER;
        read_word(parser, token, is_number_char);
        read = true;
    } else if (peek(parser) == '"' || peek(parser) == '\'') {
        token->kind = TOKEN_STRING;
        read = read_string(parser, token);
    } else {
        read = read_punctuation(parser, token);
    }
    if (read)
        token->length = token_extent(parser, token);
    return read;
}

/* Skips newlines (libxlu's nlok, inside lists). */
static bool skip_newlines(struct parser *parser)
{
    do {
        if (!next_token(parser))
            return false;
    } while (parser->token.kind == TOKEN_NEWLINE);
    return true;
}

/* --- values as xl reads them -------------------------------------------------------- */

static bool copy_string(struct parser *parser, const struct key *key, const struct token *value, char *field,
                        size_t size, bool append)
{
    size_t start = append ? strlen(field) : 0;
    size_t length = strlen(value->value);

    if (value->too_long || start + length + 1 > size) {
        report_line(parser, "%s:%u: parameter `%s' is too long (at most %zu characters)", parser->file_name,
                    value->line, key->name, size - 1);
        return false;
    }
    memcpy(field + start, value->value, length + 1);
    return true;
}

/* strtol(text, &end, 0) for a non-negative number, as xlu_cfg_get_bounded_long checks it. */
static bool parse_number(const char *text, uint64_t *number)
{
    unsigned int base = 10;
    const char *digit = text;

    if (digit[0] == '0' && (digit[1] == 'x' || digit[1] == 'X') && digit[2] != '\0') {
        base = 16;
        digit += 2;
    } else if (digit[0] == '0') {
        base = 8;
    }
    if (*digit == '\0')
        return false;
    *number = 0;
    for (; *digit != '\0'; digit++) {
        unsigned int value;

        if (is_digit(*digit))
            value = (unsigned int)(*digit - '0');
        else if (*digit >= 'a' && *digit <= 'f')
            value = (unsigned int)(*digit - 'a' + 10);
        else if (*digit >= 'A' && *digit <= 'F')
            value = (unsigned int)(*digit - 'A' + 10);
        else
            return false;
        if (value >= base)
            return false;
        if (*number > (UINT64_MAX - value) / base)
            *number = UINT64_MAX; /* saturates: above every bound */
        else
            *number = *number * base + value;
    }
    return true;
}

static bool bounded_number(struct parser *parser, const struct key *key, const struct token *value,
                           uint64_t minimum, uint64_t maximum, uint64_t *number)
{
    if (value->too_long || !parse_number(value->value, number)) {
        report_line(parser, "%s:%u: parameter `%s' is not a valid number", parser->file_name, value->line,
                    key->name);
        return false;
    }
    if (*number < minimum) {
        report_line(parser, "%s:%u: value `%lu' is smaller than minimum bound '%lu'", parser->file_name,
                    value->line, (unsigned long)*number, (unsigned long)minimum);
        return false;
    }
    if (*number > maximum) {
        report_line(parser, "%s:%u: value `%lu' is greater than maximum bound '%lu'", parser->file_name,
                    value->line, (unsigned long)*number, (unsigned long)maximum);
        return false;
    }
    return true;
}

/* A domain name usable in xl's commands: printable, no blank, no quote. */
static bool apply_name(struct parser *parser, const struct key *key, const struct token *value, bool append)
{
    if (!copy_string(parser, key, value, parser->config->name, sizeof(parser->config->name), append))
        return false;
    for (const char *c = parser->config->name; *c != '\0'; c++)
        if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f || *c == '"' || *c == '\'') {
            report_line(parser, "%s:%u: invalid domain name \"%s\": a space, quote or control character",
                        parser->file_name, value->line, parser->config->name);
            return false;
        }
    return true;
}

static bool apply_memory(struct parser *parser, const struct key *key, const struct token *value, bool append)
{
    (void)append;
    parser->memory_set = true;
    return bounded_number(parser, key, value, 1, XL_CONFIG_MAX_MEMORY_MEBIBYTES, &parser->config->memory_mebibytes);
}

static bool apply_maxmem(struct parser *parser, const struct key *key, const struct token *value, bool append)
{
    (void)append;
    parser->maxmem_set = true;
    return bounded_number(parser, key, value, 1, XL_CONFIG_MAX_MEMORY_MEBIBYTES, &parser->config->maxmem_mebibytes);
}

static bool apply_vcpus(struct parser *parser, const struct key *key, const struct token *value, bool append)
{
    uint64_t vcpus;

    (void)append;
    if (!bounded_number(parser, key, value, 1, 1, &vcpus))
        return false;
    parser->config->vcpus = (unsigned int)vcpus;
    return true;
}

static bool apply_kernel(struct parser *parser, const struct key *key, const struct token *value, bool append)
{
    return copy_string(parser, key, value, parser->config->kernel_file, sizeof(parser->config->kernel_file), append);
}

static bool apply_ramdisk(struct parser *parser, const struct key *key, const struct token *value, bool append)
{
    return copy_string(parser, key, value, parser->config->ramdisk_file, sizeof(parser->config->ramdisk_file),
                       append);
}

static bool apply_cmdline(struct parser *parser, const struct key *key, const struct token *value, bool append)
{
    parser->command_line_set = true;
    return copy_string(parser, key, value, parser->config->command_line, sizeof(parser->config->command_line),
                       append);
}

static bool apply_root(struct parser *parser, const struct key *key, const struct token *value, bool append)
{
    return copy_string(parser, key, value, parser->root, sizeof(parser->root), append);
}

static bool apply_extra(struct parser *parser, const struct key *key, const struct token *value, bool append)
{
    return copy_string(parser, key, value, parser->extra, sizeof(parser->extra), append);
}

static bool apply_type(struct parser *parser, const struct key *key, const struct token *value, bool append)
{
    (void)key;
    if (append || strcmp(value->value, "pv") != 0) {
        report_line(parser, "%s:%u: Invalid domain type %s (pvmon runs pv only).", parser->file_name, value->line,
                    value->value);
        return false;
    }
    return true;
}

/* xl_parse.c's action_on_shutdown_names, indexed by libxl_action_on_shutdown. */
static const char *const action_names[] = {
    [XL_ACTION_DESTROY] = "destroy",
    [XL_ACTION_RESTART] = "restart",
    [XL_ACTION_RENAME_RESTART] = "rename-restart",
    [XL_ACTION_PRESERVE] = "preserve",
    [XL_ACTION_COREDUMP_DESTROY] = "coredump-destroy",
    [XL_ACTION_COREDUMP_RESTART] = "coredump-restart",
    [XL_ACTION_SOFT_RESET] = "soft-reset",
};

const char *xl_action_on_shutdown_name(enum xl_action_on_shutdown action)
{
    if ((unsigned int)action >= sizeof(action_names) / sizeof(action_names[0]))
        return NULL;
    return action_names[action];
}

static bool apply_action(struct parser *parser, const struct key *key, const struct token *value,
                         enum xl_action_on_shutdown *action)
{
    for (unsigned int index = 0; index < sizeof(action_names) / sizeof(action_names[0]); index++)
        if (!value->too_long && strcmp(value->value, action_names[index]) == 0) {
            *action = (enum xl_action_on_shutdown)index;
            return true;
        }
    report_line(parser, "%s:%u: Unknown %s action \"%.*s\" specified", parser->file_name, value->line, key->name,
                NEAR_TEXT_SIZE, value->value);
    return false;
}

static bool apply_on_poweroff(struct parser *parser, const struct key *key, const struct token *value, bool append)
{
    (void)append;
    return apply_action(parser, key, value, &parser->config->on_poweroff);
}

static bool apply_on_reboot(struct parser *parser, const struct key *key, const struct token *value, bool append)
{
    (void)append;
    return apply_action(parser, key, value, &parser->config->on_reboot);
}

static bool apply_on_crash(struct parser *parser, const struct key *key, const struct token *value, bool append)
{
    (void)append;
    return apply_action(parser, key, value, &parser->config->on_crash);
}

static void start_disks(struct parser *parser)
{
    parser->config->disk_count = 0;
}

static void start_vifs(struct parser *parser)
{
    parser->config->vif_count = 0;
}

static bool list_full(struct parser *parser, const struct key *key, const struct token *value, unsigned int count,
                      unsigned int maximum)
{
    if (count < maximum)
        return false;
    report_line(parser, "%s:%u: too many entries in `%s' (at most %u)", parser->file_name, value->line, key->name,
                maximum);
    return true;
}

static bool apply_disk(struct parser *parser, const struct key *key, const struct token *value, bool append)
{
    struct xl_domain_config *config = parser->config;
    struct disk_spec disk;

    (void)append;
    if (list_full(parser, key, value, config->disk_count, CONFIG_MAX_DISKS))
        return false;
    if (value->too_long || domain_config_parse_disk(value->value, &disk) != 0) {
        report_line(parser, "%s:%u: invalid disk specification `%.*s'", parser->file_name, value->line,
                    NEAR_TEXT_SIZE, value->value);
        return false;
    }
    for (unsigned int index = 0; index < config->disk_count; index++)
        if (strcmp(config->disks[index].vdev, disk.vdev) == 0) {
            report_line(parser, "%s:%u: disk vdev %s given twice", parser->file_name, value->line, disk.vdev);
            return false;
        }
    config->disks[config->disk_count++] = disk;
    return true;
}

static bool apply_vif(struct parser *parser, const struct key *key, const struct token *value, bool append)
{
    struct xl_domain_config *config = parser->config;
    struct vif_spec vif;

    (void)append;
    if (list_full(parser, key, value, config->vif_count, CONFIG_MAX_VIFS))
        return false;
    if (value->too_long || domain_config_parse_vif(value->value, &vif) != 0) {
        report_line(parser, "%s:%u: invalid vif specification `%.*s'", parser->file_name, value->line,
                    NEAR_TEXT_SIZE, value->value);
        return false;
    }
    for (unsigned int index = 0; index < config->vif_count; index++)
        if (vif.has_address && config->vifs[index].has_address &&
            ethernet_address_equal(&config->vifs[index].address, &vif.address)) {
            report_line(parser, "%s:%u: vif mac given twice", parser->file_name, value->line);
            return false;
        }
    vif.handle = config->vif_count;
    config->vifs[config->vif_count++] = vif;
    return true;
}

static const struct key keys[] = {
    { "name", KEY_STRING, apply_name, NULL },
    { "memory", KEY_NUMBER, apply_memory, NULL },
    { "maxmem", KEY_NUMBER, apply_maxmem, NULL },
    { "vcpus", KEY_NUMBER, apply_vcpus, NULL },
    { "kernel", KEY_STRING, apply_kernel, NULL },
    { "ramdisk", KEY_STRING, apply_ramdisk, NULL },
    { "cmdline", KEY_STRING, apply_cmdline, NULL },
    { "root", KEY_STRING, apply_root, NULL },
    { "extra", KEY_STRING, apply_extra, NULL },
    { "disk", KEY_LIST, apply_disk, start_disks },
    { "vif", KEY_LIST, apply_vif, start_vifs },
    { "on_poweroff", KEY_STRING, apply_on_poweroff, NULL },
    { "on_reboot", KEY_STRING, apply_on_reboot, NULL },
    { "on_crash", KEY_STRING, apply_on_crash, NULL },
    { "type", KEY_STRING, apply_type, NULL },
};

static const struct key *find_key(const char *name)
{
    for (size_t index = 0; index < sizeof(keys) / sizeof(keys[0]); index++)
        if (strcmp(keys[index].name, name) == 0)
            return &keys[index];
    return NULL;
}

/* --- the grammar: libxlu_cfg_y.y ------------------------------------------------------ */

static bool is_atom(const struct token *token)
{
    return token->kind == TOKEN_STRING || token->kind == TOKEN_NUMBER;
}

/* '[' nlok valuelist ']', each item applied as it is read; the '[' is the current token. */
static bool parse_list(struct parser *parser, const struct key *key)
{
    if (!skip_newlines(parser))
        return false;
    if (parser->token.kind == TOKEN_CLOSE)
        return next_token(parser);
    for (;;) {
        if (parser->token.kind == TOKEN_OPEN) {
            report_line(parser, "%s:%u: parameter `%s': a list inside a list is not supported", parser->file_name,
                        parser->token.line, key->name);
            return false;
        }
        if (!is_atom(&parser->token))
            return syntax_error(parser, &parser->token, "syntax error, expecting a string or a number");
        if (!key->apply(parser, key, &parser->token, false) || !skip_newlines(parser))
            return false;
        if (parser->token.kind == TOKEN_CLOSE)
            return next_token(parser);
        if (parser->token.kind != TOKEN_COMMA)
            return syntax_error(parser, &parser->token, "syntax error, expecting `,' or `]'");
        if (!skip_newlines(parser))
            return false;
        if (parser->token.kind == TOKEN_CLOSE)
            return next_token(parser);
    }
}

/* The value of KEY = or KEY +=; the current token is its first. */
static bool parse_value(struct parser *parser, const char *name, const struct key *key, bool append)
{
    const struct token *value = &parser->token;

    if (value->kind == TOKEN_OPEN) {
        if (key->kind != KEY_LIST) {
            report_line(parser, "%s:%u: parameter `%s' is a list but should be a single value", parser->file_name,
                        value->line, name);
            return false;
        }
        if (!append)
            key->start_list(parser);
        return parse_list(parser, key);
    }
    if (!is_atom(value))
        return syntax_error(parser, value, "syntax error, expecting a value");
    if (key->kind == KEY_LIST) {
        report_line(parser, "%s:%u: parameter `%s' is a single value but should be a list", parser->file_name,
                    value->line, name);
        return false;
    }
    if (append && key->kind == KEY_NUMBER) {
        report_line(parser, "%s:%u: can't use += with numbers for parameter `%s'", parser->file_name, value->line,
                    name);
        return false;
    }
    return key->apply(parser, key, value, append) && next_token(parser);
}

/* IDENT '=' value or IDENT "+=" value, then the end of the statement; the identifier is current. */
static bool parse_assignment(struct parser *parser)
{
    char name[NEAR_TEXT_SIZE];
    unsigned int line = parser->token.line;
    const struct key *key;
    bool append;

    if (parser->token.too_long || strlen(parser->token.value) >= sizeof(name))
        return syntax_error(parser, &parser->token, "parameter name too long");
    memcpy(name, parser->token.value, strlen(parser->token.value) + 1);
    if (!next_token(parser))
        return false;
    if (parser->token.kind != TOKEN_ASSIGN && parser->token.kind != TOKEN_APPEND)
        return syntax_error(parser, &parser->token, "syntax error, expecting `=' or `+='");
    append = parser->token.kind == TOKEN_APPEND;
    key = find_key(name);
    if (key == NULL) {
        report_line(parser, "%s:%u: unknown parameter `%s' (not one pvmon supports)", parser->file_name, line, name);
        return false;
    }
    if (!next_token(parser) || !parse_value(parser, name, key, append))
        return false;
    if (parser->token.kind != TOKEN_NEWLINE && parser->token.kind != TOKEN_SEMICOLON &&
        parser->token.kind != TOKEN_END)
        return syntax_error(parser, &parser->token, "syntax error, expecting a newline or `;'");
    return true;
}

static bool parse_statements(struct parser *parser)
{
    for (;;) {
        if (!next_token(parser))
            return false;
        switch (parser->token.kind) {
        case TOKEN_END:
            return true;
        case TOKEN_NEWLINE:
        case TOKEN_SEMICOLON:
            break;
        case TOKEN_IDENTIFIER:
            if (!parse_assignment(parser))
                return false;
            if (parser->token.kind == TOKEN_END)
                return true;
            break;
        default:
            return syntax_error(parser, &parser->token, "syntax error, expecting a parameter name");
        }
    }
}

/* --- what xl checks once the file is read ------------------------------------------- */

/* xl_parse.c's parse_cmdline: cmdline wins over root= and extra=, else "root=ROOT EXTRA". */
static bool compose_command_line(struct parser *parser)
{
    struct xl_domain_config *config = parser->config;
    int length;

    if (parser->command_line_set) {
        if (parser->root[0] != '\0' || parser->extra[0] != '\0')
            report_line(parser, "%s: Warning: ignoring root= and extra= in favour of cmdline=", parser->file_name);
        return true;
    }
    if (parser->root[0] != '\0' && parser->extra[0] != '\0')
        length = format_string(config->command_line, sizeof(config->command_line), "root=%s %s", parser->root,
                               parser->extra);
    else if (parser->root[0] != '\0')
        length = format_string(config->command_line, sizeof(config->command_line), "root=%s", parser->root);
    else
        length = format_string(config->command_line, sizeof(config->command_line), "%s", parser->extra);
    if (length < 0 || (size_t)length >= sizeof(config->command_line)) {
        report_line(parser, "%s: the command line from root= and extra= is too long (at most %zu characters)",
                    parser->file_name, sizeof(config->command_line) - 1);
        return false;
    }
    return true;
}

/* libxl's defaults (libxl__domain_build_info_setdefault) and xl.cfg's rule maxmem >= memory. */
static bool settle_memory(struct parser *parser)
{
    struct xl_domain_config *config = parser->config;

    if (!parser->maxmem_set)
        config->maxmem_mebibytes = parser->memory_set ? config->memory_mebibytes : XL_CONFIG_DEFAULT_MEMORY_MEBIBYTES;
    if (!parser->memory_set)
        config->memory_mebibytes = config->maxmem_mebibytes;
    if (config->maxmem_mebibytes < config->memory_mebibytes) {
        report_line(parser, "%s: maxmem (%lu MiB) is smaller than memory (%lu MiB)", parser->file_name,
                    (unsigned long)config->maxmem_mebibytes, (unsigned long)config->memory_mebibytes);
        return false;
    }
    return true;
}

static bool check_settings(struct parser *parser)
{
    if (parser->config->name[0] == '\0') {
        report_line(parser, "%s: Domain name must be specified.", parser->file_name);
        return false;
    }
    if (parser->config->kernel_file[0] == '\0') {
        report_line(parser, "%s: Domain kernel must be specified (pvmon boots PV kernels only).", parser->file_name);
        return false;
    }
    return settle_memory(parser) && compose_command_line(parser);
}

int xl_config_parse(const char *file_name, const char *text, uint64_t size, struct xl_domain_config *config,
                    xl_config_report report, void *report_context)
{
    struct parser parser = {
        .file_name = file_name,
        .text = text,
        .size = size,
        .line = 1,
        .report = report,
        .report_context = report_context,
        .config = config,
    };

    memset(config, 0, sizeof(*config));
    *config = (struct xl_domain_config) {
        .vcpus = 1,
        .on_poweroff = XL_ACTION_DESTROY,
        .on_reboot = XL_ACTION_RESTART,
        .on_crash = XL_ACTION_DESTROY,
    };
    if (!parse_statements(&parser) || !check_settings(&parser))
        return -XEN_EINVAL;
    return 0;
}
