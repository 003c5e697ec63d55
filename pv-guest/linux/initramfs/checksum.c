/*
 * pvmon-checksum FILE MIB SEED: the workload's file step, "tmpfs-checksum".
 * Writes MIB MiB of pseudo-random bytes (splitmix64 from SEED: the same
 * seed gives the same file) to FILE, meant to be on the tmpfs /tmp, and
 * checks that three SHA-256 digests of it agree:
 *   generated  computed here over the bytes as they are made, before write();
 *   read back  computed here again over what read() returns from the file;
 *   sha256sum  the one of busybox (coreutils on a host), an implementation
 *              of its own, run on the file.
 * Then removes FILE, whatever happened.  Result: "tmpfs-checksum bytes=N
 * sha256=HEX write-ns=N read-ns=N", or "bytes=N error=WHAT" on a failure.
 *
 * SHA-256 is written here from its specification (FIPS 180-4).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "common.h"

#define STEP "tmpfs-checksum"
#define MIB (1024u * 1024u)
#define MAX_MIB 65536u
#define CHUNK_SIZE (64u * 1024u)
#define DIGEST_SIZE 32
#define DIGEST_TEXT_SIZE (2 * DIGEST_SIZE + 1)

struct sha256 {
    uint32_t state[8];
    uint8_t block[64];
    size_t block_used;
    uint64_t length;
};

/* The first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
static const uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* The first 32 bits of the fractional parts of the square roots of the first 8 primes. */
static const uint32_t initial_state[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static uint32_t rotate_right(uint32_t value, unsigned int bits)
{
    return value >> bits | value << (32 - bits);
}

static void sha256_start(struct sha256 *hash)
{
    memcpy(hash->state, initial_state, sizeof(hash->state));
    hash->block_used = 0;
    hash->length = 0;
}

/* Runs the compression function over the full block in hash->block. */
static void sha256_compress(struct sha256 *hash)
{
    uint32_t schedule[64];

    for (unsigned int index = 0; index < 16; index++)
        schedule[index] = (uint32_t) hash->block[4 * index] << 24 |
                          (uint32_t) hash->block[4 * index + 1] << 16 |
                          (uint32_t) hash->block[4 * index + 2] << 8 | hash->block[4 * index + 3];
    for (unsigned int index = 16; index < 64; index++) {
        uint32_t before_15 = schedule[index - 15];
        uint32_t before_2 = schedule[index - 2];
        uint32_t sigma0 = rotate_right(before_15, 7) ^ rotate_right(before_15, 18) ^ before_15 >> 3;
        uint32_t sigma1 = rotate_right(before_2, 17) ^ rotate_right(before_2, 19) ^ before_2 >> 10;

        schedule[index] = schedule[index - 16] + sigma0 + schedule[index - 7] + sigma1;
    }

    uint32_t a = hash->state[0], b = hash->state[1], c = hash->state[2], d = hash->state[3];
    uint32_t e = hash->state[4], f = hash->state[5], g = hash->state[6], h = hash->state[7];

    for (unsigned int index = 0; index < 64; index++) {
        uint32_t sum1 = rotate_right(e, 6) ^ rotate_right(e, 11) ^ rotate_right(e, 25);
        uint32_t choice = (e & f) ^ (~e & g);
        uint32_t temporary1 = h + sum1 + choice + round_constants[index] + schedule[index];
        uint32_t sum0 = rotate_right(a, 2) ^ rotate_right(a, 13) ^ rotate_right(a, 22);
        uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
        uint32_t temporary2 = sum0 + majority;

        h = g;
        g = f;
        f = e;
        e = d + temporary1;
        d = c;
        c = b;
        b = a;
        a = temporary1 + temporary2;
    }
    hash->state[0] += a;
    hash->state[1] += b;
    hash->state[2] += c;
    hash->state[3] += d;
    hash->state[4] += e;
    hash->state[5] += f;
    hash->state[6] += g;
    hash->state[7] += h;
}

static void sha256_add(struct sha256 *hash, const uint8_t *bytes, size_t length)
{
    hash->length += length;
    while (length > 0) {
        size_t taken = sizeof(hash->block) - hash->block_used;

        if (taken > length)
            taken = length;
        memcpy(hash->block + hash->block_used, bytes, taken);
        hash->block_used += taken;
        bytes += taken;
        length -= taken;
        if (hash->block_used == sizeof(hash->block)) {
            sha256_compress(hash);
            hash->block_used = 0;
        }
    }
}

/* Pads the message (a 1 bit, zeros, its length in bits) and writes the digest as hex text. */
static void sha256_finish(struct sha256 *hash, char text[DIGEST_TEXT_SIZE])
{
    uint64_t length_in_bits = hash->length * 8;
    uint8_t padding[64 + 8] = { 0x80 };
    size_t padding_length = (hash->block_used < 56 ? 56 : 120) - hash->block_used;

    for (unsigned int byte = 0; byte < 8; byte++)
        padding[padding_length + byte] = (uint8_t) (length_in_bits >> (56 - 8 * byte));
    sha256_add(hash, padding, padding_length + 8);
    for (unsigned int index = 0; index < 8; index++)
        snprintf(text + 8 * index, 9, "%08x", (unsigned int) hash->state[index]);
}

/* splitmix64: any seed, a new 64-bit value each call. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t mixed = (*state += 0x9e3779b97f4a7c15u);

    mixed = (mixed ^ mixed >> 30) * 0xbf58476d1ce4e5b9u;
    mixed = (mixed ^ mixed >> 27) * 0x94d049bb133111ebu;
    return mixed ^ mixed >> 31;
}

static bool write_all(int file, const uint8_t *bytes, size_t length)
{
    while (length > 0) {
        ssize_t written = write(file, bytes, length);

        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return false;
        bytes += written;
        length -= (size_t) written;
    }
    return true;
}

/* Writes the file, hashing its bytes as they are made; false (having said why) on an error. */
static bool generate(const char *path, uint64_t size, uint64_t seed, char digest[DIGEST_TEXT_SIZE])
{
    int file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    if (file < 0) {
        fprintf(stderr, STEP ": creating %s: %s\n", path, strerror(errno));
        return false;
    }

    static uint8_t chunk[CHUNK_SIZE];
    struct sha256 hash;
    uint64_t random_state = seed;

    sha256_start(&hash);
    for (uint64_t done = 0; done < size; done += CHUNK_SIZE) {
        for (size_t offset = 0; offset < CHUNK_SIZE; offset += sizeof(uint64_t)) {
            uint64_t value = next_random(&random_state);

            for (unsigned int byte = 0; byte < sizeof(value); byte++)
                chunk[offset + byte] = (uint8_t) (value >> (8 * byte));
        }
        sha256_add(&hash, chunk, CHUNK_SIZE);
        if (!write_all(file, chunk, CHUNK_SIZE)) {
            fprintf(stderr, STEP ": writing %s: %s\n", path, strerror(errno));
            close(file);
            return false;
        }
    }
    if (close(file) != 0) {
        fprintf(stderr, STEP ": closing %s: %s\n", path, strerror(errno));
        return false;
    }
    sha256_finish(&hash, digest);
    return true;
}

/* Hashes the file as read() returns it; false (having said why) on an error or a wrong size. */
static bool read_back(const char *path, uint64_t size, char digest[DIGEST_TEXT_SIZE])
{
    int file = open(path, O_RDONLY);

    if (file < 0) {
        fprintf(stderr, STEP ": opening %s: %s\n", path, strerror(errno));
        return false;
    }

    static uint8_t chunk[CHUNK_SIZE];
    struct sha256 hash;
    ssize_t got;

    sha256_start(&hash);
    while ((got = read(file, chunk, sizeof(chunk))) != 0) {
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            fprintf(stderr, STEP ": reading %s: %s\n", path, strerror(errno));
            close(file);
            return false;
        }
        sha256_add(&hash, chunk, (size_t) got);
    }
    close(file);
    if (hash.length != size) {
        fprintf(stderr, STEP ": %s reads back as %llu bytes, not %llu\n", path,
                (unsigned long long) hash.length, (unsigned long long) size);
        return false;
    }
    sha256_finish(&hash, digest);
    return true;
}

/* Runs "sha256sum path" and takes the digest from its output; false (having said why) if not. */
static bool run_sha256sum(const char *path, char digest[DIGEST_TEXT_SIZE])
{
    int output[2];

    if (pipe(output) != 0) {
        fprintf(stderr, STEP ": pipe: %s\n", strerror(errno));
        return false;
    }
    fflush(stdout);

    pid_t child = fork();

    if (child < 0) {
        fprintf(stderr, STEP ": fork: %s\n", strerror(errno));
        close(output[0]);
        close(output[1]);
        return false;
    }
    if (child == 0) {
        close(output[0]);
        if (dup2(output[1], STDOUT_FILENO) < 0)
            _exit(126);
        execlp("sha256sum", "sha256sum", path, (char *) NULL);
        _exit(127);
    }
    close(output[1]);

    char text[256];
    size_t length = 0;

    while (length < sizeof(text) - 1) {
        ssize_t got = read(output[0], text + length, sizeof(text) - 1 - length);

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            fprintf(stderr, STEP ": reading what sha256sum prints: %s\n", strerror(errno));
        if (got <= 0)
            break;
        length += (size_t) got;
    }
    text[length] = '\0';
    close(output[0]);

    int status;

    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, STEP ": sha256sum %s failed (status %#x)\n", path, (unsigned int) status);
        return false;
    }
    if (length < DIGEST_TEXT_SIZE - 1 || strspn(text, "0123456789abcdef") != DIGEST_TEXT_SIZE - 1) {
        fprintf(stderr, STEP ": sha256sum printed no digest: '%s'\n", text);
        return false;
    }
    memcpy(digest, text, DIGEST_TEXT_SIZE - 1);
    digest[DIGEST_TEXT_SIZE - 1] = '\0';
    return true;
}

/*
 * Writes the file, reads it back and has sha256sum read it, timing the
 * first two; NULL if the three digests agree, else what went wrong.
 */
static const char *check_file(const char *path, uint64_t size, uint64_t seed,
                              char generated[DIGEST_TEXT_SIZE], uint64_t *write_ns,
                              uint64_t *read_ns)
{
    char read_back_digest[DIGEST_TEXT_SIZE];
    char sha256sum_digest[DIGEST_TEXT_SIZE];
    uint64_t start_ns = monotonic_ns(STEP);

    if (!generate(path, size, seed, generated))
        return "write";
    *write_ns = monotonic_ns(STEP) - start_ns;
    start_ns = monotonic_ns(STEP);
    if (!read_back(path, size, read_back_digest))
        return "read";
    *read_ns = monotonic_ns(STEP) - start_ns;
    if (!run_sha256sum(path, sha256sum_digest))
        return "sha256sum";
    if (strcmp(generated, read_back_digest) != 0 || strcmp(generated, sha256sum_digest) != 0) {
        fprintf(stderr, STEP ": SHA-256 generated %s, read back %s, sha256sum %s\n", generated,
                read_back_digest, sha256sum_digest);
        return "mismatch";
    }
    return NULL;
}

int main(int argc, char **argv)
{
    uint64_t mib;
    uint64_t seed;

    if (argc != 4 || !parse_number(STEP, "MIB", argv[2], 1, MAX_MIB, &mib) ||
        !parse_number(STEP, "SEED", argv[3], 0, UINT64_MAX, &seed)) {
        fprintf(stderr, "usage: pvmon-checksum FILE MIB SEED\n");
        return report(false, STEP, "error=usage");
    }

    const char *path = argv[1];
    uint64_t size = mib * MIB;
    char generated[DIGEST_TEXT_SIZE];
    uint64_t write_ns = 0;
    uint64_t read_ns = 0;
    const char *error = check_file(path, size, seed, generated, &write_ns, &read_ns);

    /* The file goes whatever happened: it holds memory (tmpfs) the next step may want. */
    if (unlink(path) != 0 && errno != ENOENT) {
        fprintf(stderr, STEP ": removing %s: %s\n", path, strerror(errno));
        if (error == NULL)
            error = "remove";
    }
    if (error != NULL)
        return report(false, STEP, "bytes=%llu error=%s", (unsigned long long) size, error);
    return report(true, STEP, "bytes=%llu sha256=%s write-ns=%llu read-ns=%llu",
                  (unsigned long long) size, generated, (unsigned long long) write_ns,
                  (unsigned long long) read_ns);
}
