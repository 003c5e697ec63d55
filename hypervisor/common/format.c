/*
 * printf-style formatting into a bounded buffer (see pvmon/format.h).
 *
 * Output goes through struct output, which stores what fits and counts
 * everything, so truncation is handled in one place: put_character and
 * put_repeated never write past size - 1, and the NUL goes in at the end.
 * Each conversion is first parsed into a struct conversion_specification,
 * then printed by the function for its kind (integer, character, string).
 */
#include <stdbool.h>
#include <stdint.h>

#include <pvmon/errno.h>
#include <pvmon/format.h>
#include <pvmon/string.h>

/* INT_MAX, the longest output whose length the return value can hold. */
#define LONGEST_OUTPUT ((size_t) ((unsigned int) -1 / 2))

/* Enough digits for any uintmax_t in octal, the longest base. */
#define MAXIMUM_DIGITS 24

struct output {
    char *buffer;
    size_t size;
    size_t length; /* of the whole output so far, stored or not */
};

enum length_modifier {
    LENGTH_DEFAULT,
    LENGTH_CHAR,               /* hh */
    LENGTH_SHORT,              /* h */
    LENGTH_LONG,               /* l */
    LENGTH_LONG_LONG,          /* ll */
    LENGTH_SIZE,               /* z */
    LENGTH_POINTER_DIFFERENCE, /* t */
    LENGTH_MAXIMUM,            /* j */
};

struct conversion_specification {
    bool left_justify;   /* - */
    bool pad_with_zeros; /* 0 */
    bool always_sign;    /* + */
    bool space_for_sign; /* space */
    bool alternate_form; /* # */
    size_t width;
    bool has_precision;
    size_t precision;
    enum length_modifier length;
    char conversion;
};

static void put_character(struct output *output, char character)
{
    if (output->length + 1 < output->size)
        output->buffer[output->length] = character;
    output->length++;
}

static void put_repeated(struct output *output, char character, size_t count)
{
    while (count > 0 && output->length + 1 < output->size) {
        output->buffer[output->length++] = character;
        count--;
    }
    output->length += count;
}

static void put_text(struct output *output, const char *text, size_t length)
{
    for (size_t index = 0; index < length; index++)
        put_character(output, text[index]);
}

static bool is_digit(char character)
{
    return character >= '0' && character <= '9';
}

/* Values past LONGEST_OUTPUT only make the output too long, so they stop growing there. */
static const char *parse_decimal(const char *format, size_t *value)
{
    *value = 0;
    while (is_digit(*format)) {
        if (*value <= LONGEST_OUTPUT)
            *value = *value * 10 + (size_t) (*format - '0');
        format++;
    }
    return format;
}

static const char *parse_flags(const char *format, struct conversion_specification *specification)
{
    for (;; format++) {
        switch (*format) {
        case '-':
            specification->left_justify = true;
            break;
        case '0':
            specification->pad_with_zeros = true;
            break;
        case '+':
            specification->always_sign = true;
            break;
        case ' ':
            specification->space_for_sign = true;
            break;
        case '#':
            specification->alternate_form = true;
            break;
        default:
            return format;
        }
    }
}

/* A negative * width means left justification, as in C. */
static const char *parse_width(const char *format, struct conversion_specification *specification,
                               va_list *arguments)
{
    if (*format != '*')
        return parse_decimal(format, &specification->width);

    int width = va_arg(*arguments, int);

    if (width < 0) {
        specification->left_justify = true;
        specification->width = 0u - (unsigned int) width;
    } else {
        specification->width = (size_t) width;
    }
    return format + 1;
}

/* A negative * precision counts as no precision at all, as in C. */
static const char *parse_precision(const char *format, struct conversion_specification *specification,
                                   va_list *arguments)
{
    if (*format != '.')
        return format;
    format++;
    if (*format != '*') {
        specification->has_precision = true;
        return parse_decimal(format, &specification->precision);
    }

    int precision = va_arg(*arguments, int);

    specification->has_precision = precision >= 0;
    specification->precision = precision >= 0 ? (size_t) precision : 0;
    return format + 1;
}

static const char *parse_length(const char *format, enum length_modifier *length)
{
    switch (*format) {
    case 'h':
        if (format[1] == 'h') {
            *length = LENGTH_CHAR;
            return format + 2;
        }
        *length = LENGTH_SHORT;
        return format + 1;
    case 'l':
        if (format[1] == 'l') {
            *length = LENGTH_LONG_LONG;
            return format + 2;
        }
        *length = LENGTH_LONG;
        return format + 1;
    case 'z':
        *length = LENGTH_SIZE;
        return format + 1;
    case 't':
        *length = LENGTH_POINTER_DIFFERENCE;
        return format + 1;
    case 'j':
        *length = LENGTH_MAXIMUM;
        return format + 1;
    default:
        *length = LENGTH_DEFAULT;
        return format;
    }
}

/*
 * Parses what follows a '%' up to and including the conversion character
 * (which is '\0' if the format ends first) and returns the position just
 * after it, or of the '\0'.
 */
static const char *parse_specification(const char *format, struct conversion_specification *specification,
                                       va_list *arguments)
{
    *specification = (struct conversion_specification) { 0 };
    format = parse_flags(format, specification);
    format = parse_width(format, specification, arguments);
    format = parse_precision(format, specification, arguments);
    format = parse_length(format, &specification->length);
    specification->conversion = *format;
    return *format == '\0' ? format : format + 1;
}

/* The signed argument types: %zd takes the signed type of size_t's width, ptrdiff_t. */
static intmax_t fetch_signed(va_list *arguments, enum length_modifier length)
{
    switch (length) {
    case LENGTH_CHAR:
        return (signed char) va_arg(*arguments, int);
    case LENGTH_SHORT:
        return (short) va_arg(*arguments, int);
    case LENGTH_LONG:
        return va_arg(*arguments, long);
    case LENGTH_LONG_LONG:
        return va_arg(*arguments, long long);
    case LENGTH_SIZE:
    case LENGTH_POINTER_DIFFERENCE:
        return va_arg(*arguments, ptrdiff_t);
    case LENGTH_MAXIMUM:
        return va_arg(*arguments, intmax_t);
    case LENGTH_DEFAULT:
        break;
    }
    return va_arg(*arguments, int);
}

/* The unsigned argument types: %tu takes the unsigned type of ptrdiff_t's width, size_t. */
static uintmax_t fetch_unsigned(va_list *arguments, enum length_modifier length)
{
    switch (length) {
    case LENGTH_CHAR:
        return (unsigned char) va_arg(*arguments, int);
    case LENGTH_SHORT:
        return (unsigned short) va_arg(*arguments, int);
    case LENGTH_LONG:
        return va_arg(*arguments, unsigned long);
    case LENGTH_LONG_LONG:
        return va_arg(*arguments, unsigned long long);
    case LENGTH_SIZE:
    case LENGTH_POINTER_DIFFERENCE:
        return va_arg(*arguments, size_t);
    case LENGTH_MAXIMUM:
        return va_arg(*arguments, uintmax_t);
    case LENGTH_DEFAULT:
        break;
    }
    return va_arg(*arguments, unsigned int);
}

/* Writes value's digits to the end of digits[MAXIMUM_DIGITS] and returns where they start. */
static char *write_digits(char *digits, uintmax_t value, unsigned int base, bool uppercase)
{
    const char *digit_characters = uppercase ? "0123456789ABCDEF" : "0123456789abcdef";
    char *first = digits + MAXIMUM_DIGITS;

    do {
        *--first = digit_characters[value % base];
        value /= base;
    } while (value != 0);
    return first;
}

/*
 * Prints [spaces] prefix [zeros] digits [spaces], where prefix is a sign
 * or "0x".  Precision is the minimum number of digits; a zero value with
 * precision 0 has no digits.  The 0 flag widens the zeros to fill the
 * width, unless - or a precision is given.
 */
static void put_integer(struct output *output, const struct conversion_specification *specification,
                        uintmax_t value, const char *prefix)
{
    unsigned int base = 10;

    if (specification->conversion == 'o')
        base = 8;
    else if (specification->conversion == 'x' || specification->conversion == 'X' ||
             specification->conversion == 'p')
        base = 16;

    char digits[MAXIMUM_DIGITS];
    char *first_digit = write_digits(digits, value, base, specification->conversion == 'X');
    size_t digit_count = (size_t) (digits + MAXIMUM_DIGITS - first_digit);

    if (value == 0 && specification->has_precision && specification->precision == 0)
        digit_count = 0;

    size_t zeros = 0;

    if (specification->has_precision && specification->precision > digit_count)
        zeros = specification->precision - digit_count;
    if (base == 8 && specification->alternate_form && zeros == 0 && (value != 0 || digit_count == 0))
        zeros = 1;

    size_t prefix_length = strlen(prefix);
    size_t body_length = prefix_length + zeros + digit_count;
    size_t padding = specification->width > body_length ? specification->width - body_length : 0;

    if (specification->pad_with_zeros && !specification->left_justify && !specification->has_precision) {
        zeros += padding;
        padding = 0;
    }
    if (!specification->left_justify)
        put_repeated(output, ' ', padding);
    put_text(output, prefix, prefix_length);
    put_repeated(output, '0', zeros);
    put_text(output, first_digit, digit_count);
    if (specification->left_justify)
        put_repeated(output, ' ', padding);
}

static void put_signed(struct output *output, const struct conversion_specification *specification,
                       va_list *arguments)
{
    intmax_t value = fetch_signed(arguments, specification->length);
    uintmax_t magnitude = value < 0 ? 0u - (uintmax_t) value : (uintmax_t) value;
    const char *sign = "";

    if (value < 0)
        sign = "-";
    else if (specification->always_sign)
        sign = "+";
    else if (specification->space_for_sign)
        sign = " ";
    put_integer(output, specification, magnitude, sign);
}

static void put_unsigned(struct output *output, const struct conversion_specification *specification,
                         va_list *arguments)
{
    uintmax_t value = fetch_unsigned(arguments, specification->length);
    const char *prefix = "";

    if (specification->alternate_form && value != 0) {
        if (specification->conversion == 'x')
            prefix = "0x";
        else if (specification->conversion == 'X')
            prefix = "0X";
    }
    put_integer(output, specification, value, prefix);
}

/* "0x" and exactly 16 lowercase hex digits; only the width and - apply. */
static void put_pointer(struct output *output, const struct conversion_specification *specification,
                        va_list *arguments)
{
    struct conversion_specification pointer = {
        .left_justify = specification->left_justify,
        .width = specification->width,
        .has_precision = true,
        .precision = 16,
        .conversion = 'p',
    };

    put_integer(output, &pointer, (uintptr_t) va_arg(*arguments, void *), "0x");
}

static void put_justified_text(struct output *output, const struct conversion_specification *specification,
                               const char *text, size_t length)
{
    size_t padding = specification->width > length ? specification->width - length : 0;

    if (!specification->left_justify)
        put_repeated(output, ' ', padding);
    put_text(output, text, length);
    if (specification->left_justify)
        put_repeated(output, ' ', padding);
}

static void put_character_argument(struct output *output, const struct conversion_specification *specification,
                                   va_list *arguments)
{
    char character = (char) (unsigned char) va_arg(*arguments, int);

    put_justified_text(output, specification, &character, 1);
}

/* With a precision, at most that many characters are read: the string need not be NUL-terminated. */
static void put_string_argument(struct output *output, const struct conversion_specification *specification,
                                va_list *arguments)
{
    const char *text = va_arg(*arguments, const char *);
    size_t length = 0;

    if (text == NULL)
        text = "(null)";
    while ((!specification->has_precision || length < specification->precision) && text[length] != '\0')
        length++;
    put_justified_text(output, specification, text, length);
}

/* start points at the '%', end just past the conversion character. */
static void put_conversion(struct output *output, const struct conversion_specification *specification,
                           va_list *arguments, const char *start, const char *end)
{
    switch (specification->conversion) {
    case 'd':
    case 'i':
        put_signed(output, specification, arguments);
        break;
    case 'u':
    case 'o':
    case 'x':
    case 'X':
        put_unsigned(output, specification, arguments);
        break;
    case 'p':
        put_pointer(output, specification, arguments);
        break;
    case 'c':
        put_character_argument(output, specification, arguments);
        break;
    case 's':
        put_string_argument(output, specification, arguments);
        break;
    case '%':
        put_character(output, '%');
        break;
    default:
        put_text(output, start, (size_t) (end - start));
        break;
    }
}

int format_string_va(char *buffer, size_t size, const char *format, va_list arguments)
{
    struct output output = { .buffer = buffer, .size = size, .length = 0 };
    va_list remaining; /* a local copy, because the helpers take a pointer to it */

    va_copy(remaining, arguments);
    while (*format != '\0') {
        if (*format != '%') {
            put_character(&output, *format++);
            continue;
        }

        struct conversion_specification specification;
        const char *start = format;

        format = parse_specification(format + 1, &specification, &remaining);
        put_conversion(&output, &specification, &remaining, start, format);
    }
    va_end(remaining);

    if (size > 0)
        buffer[output.length < size ? output.length : size - 1] = '\0';
    if (output.length > LONGEST_OUTPUT)
        return -XEN_EOVERFLOW;
    return (int) output.length;
}

int format_string(char *buffer, size_t size, const char *format, ...)
{
    va_list arguments;

    va_start(arguments, format);
    int length = format_string_va(buffer, size, format, arguments);
    va_end(arguments);
    return length;
}
