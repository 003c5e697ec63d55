/*
 * A fuzz harness without libFuzzer (every harness of tests/fuzz links
 * it), for the short deterministic
 * pass of 'make test': feeds --inputs pseudo-random inputs (default
 * DEFAULT_INPUTS) from a fixed seed to LLVMFuzzerTestOneInput, then
 * replays every file named on the command line (a reproducer libFuzzer wrote, or one written here).  Each input
 * runs in a child process, so that an abort counts as one failed case;
 * a failing random input is saved in the crash directory for replay.
 * Ends with "fuzz: N passed, N failed" for tests/run-all.sh.
 *
 *   NAME-fuzz [--inputs N] [--seed S] [--crash-directory DIRECTORY] [FILE...]
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_INPUTS 300
#define DEFAULT_SEED UINT64_C(0x9e3779b97f4a7c15)
#define OPERATION_SIZE 8
#define MAX_INPUT_OPERATIONS 256
#define BATCH_SIZE 50

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct options {
    unsigned long inputs;
    uint64_t seed;
    const char *crash_directory;
    int first_file;
};

struct tally {
    unsigned long passed;
    unsigned long failed;
};

/* The harness this driver is linked with, as named on the command line. */
static const char *program_name = "page-type-fuzz";

static uint64_t next_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static void usage(void)
{
    fprintf(stderr, "usage: %s [--inputs N] [--seed S] [--crash-directory DIRECTORY] [FILE...]\n", program_name);
    exit(2);
}

static struct options parse_options(int argc, char **argv)
{
    struct options options = {DEFAULT_INPUTS, DEFAULT_SEED, ".", argc};
    int index = 1;

    for (; index < argc && strncmp(argv[index], "--", 2) == 0; index += 2) {
        if (index + 1 >= argc)
            usage();
        if (strcmp(argv[index], "--inputs") == 0)
            options.inputs = strtoul(argv[index + 1], NULL, 0);
        else if (strcmp(argv[index], "--seed") == 0)
            options.seed = strtoull(argv[index + 1], NULL, 0);
        else if (strcmp(argv[index], "--crash-directory") == 0)
            options.crash_directory = argv[index + 1];
        else
            usage();
    }
    options.first_file = index;
    if (options.seed == 0)
        options.seed = DEFAULT_SEED;
    return options;
}

struct input {
    uint8_t data[OPERATION_SIZE * MAX_INPUT_OPERATIONS];
    size_t size;
};

/* Runs inputs in one child process (forking once per input would cost
 * more than the inputs do): true if every one returned normally.  With
 * quiet, the child's messages are dropped. */
static bool inputs_pass(const struct input *inputs, size_t count, bool quiet)
{
    fflush(NULL);
    pid_t child = fork();

    if (child < 0) {
        perror("fork");
        return false;
    }
    if (child == 0) {
        if (quiet && freopen("/dev/null", "w", stderr) == NULL)
            _exit(EXIT_FAILURE);
        for (size_t index = 0; index < count; index++)
            LLVMFuzzerTestOneInput(inputs[index].data, inputs[index].size);
        exit(EXIT_SUCCESS); /* runs the leak check and coverage dumps, if any */
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        continue;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* mkdir -p */
static void make_directories(const char *directory)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s", directory);
    for (char *slash = strchr(path + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(path, 0777);
        *slash = '/';
    }
    mkdir(path, 0777);
}

static void save_crash(const struct options *options, unsigned long number, const struct input *input)
{
    char path[4096];

    make_directories(options->crash_directory);
    snprintf(path, sizeof(path), "%s/seeded-crash-%lu", options->crash_directory, number);
    FILE *file = fopen(path, "wb");
    if (file == NULL || fwrite(input->data, 1, input->size, file) != input->size) {
        fprintf(stderr, "%s: cannot save the failing input as %s\n", program_name, path);
        if (file != NULL)
            fclose(file);
        return;
    }
    fclose(file);
    printf("FAIL random input %lu; replay with: %s --inputs 0 %s\n", number, program_name, path);
}

static void generate_input(uint64_t *state, struct input *input)
{
    input->size = OPERATION_SIZE * (1 + next_random(state) % MAX_INPUT_OPERATIONS);
    for (size_t offset = 0; offset < input->size; offset++)
        input->data[offset] = (uint8_t) (next_random(state) >> 24);
}

/* A batch that failed is run again one input at a time, to name the
 * inputs that fail. */
static void run_batch(const struct options *options, unsigned long first_number, const struct input *inputs,
                      size_t count, struct tally *tally)
{
    unsigned long failed_before = tally->failed;

    if (inputs_pass(inputs, count, true)) {
        tally->passed += count;
        return;
    }
    for (size_t index = 0; index < count; index++) {
        if (inputs_pass(&inputs[index], 1, false)) {
            tally->passed++;
        } else {
            tally->failed++;
            save_crash(options, first_number + index, &inputs[index]);
        }
    }
    if (tally->failed == failed_before) {
        printf("FAIL random inputs %lu to %lu fail together but pass one by one\n", first_number,
               first_number + (unsigned long) count - 1);
        tally->failed++;
    }
}

static void run_random_inputs(const struct options *options, struct tally *tally)
{
    static struct input batch[BATCH_SIZE];
    uint64_t state = options->seed;
    unsigned long number = 0;

    if (options->inputs == 0)
        return;
    while (number < options->inputs) {
        size_t count = 0;

        for (; count < BATCH_SIZE && number + count < options->inputs; count++)
            generate_input(&state, &batch[count]);
        run_batch(options, number, batch, count, tally);
        number += count;
    }
    printf("random inputs: %lu from seed %#llx\n", options->inputs, (unsigned long long) options->seed);
}

/* The whole file in *data (malloc'd; NULL if empty), or false. */
static bool read_whole_file(const char *path, uint8_t **data, size_t *size)
{
    FILE *file = fopen(path, "rb");
    size_t capacity = 0;

    *data = NULL;
    *size = 0;
    if (file == NULL)
        return false;
    for (;;) {
        if (*size == capacity) {
            capacity = capacity == 0 ? 4096 : capacity * 2;
            uint8_t *larger = realloc(*data, capacity);
            if (larger == NULL)
                break;
            *data = larger;
        }
        size_t got = fread(*data + *size, 1, capacity - *size, file);
        *size += got;
        if (got == 0)
            break;
    }
    bool complete = !ferror(file) && feof(file);
    fclose(file);
    return complete;
}

static void replay_file(const char *path, struct tally *tally)
{
    static struct input input;
    uint8_t *data = NULL;
    size_t size = 0;

    if (!read_whole_file(path, &data, &size)) {
        printf("FAIL %s: cannot be read\n", path);
        tally->failed++;
        free(data);
        return;
    }
    input.size = size < sizeof(input.data) ? size : sizeof(input.data);
    if (input.size > 0)
        memcpy(input.data, data, input.size);
    free(data);
    if (inputs_pass(&input, 1, false)) {
        printf("PASS %s\n", path);
        tally->passed++;
    } else {
        printf("FAIL %s\n", path);
        tally->failed++;
    }
}

int main(int argc, char **argv)
{
    struct options options;
    struct tally tally = {0, 0};

    if (argc > 0)
        program_name = argv[0];
    options = parse_options(argc, argv);

    run_random_inputs(&options, &tally);
    for (int index = options.first_file; index < argc; index++)
        replay_file(argv[index], &tally);
    printf("fuzz: %lu passed, %lu failed\n", tally.passed, tally.failed);
    return tally.failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
