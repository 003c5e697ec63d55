/*
 * qcow2_cache: the metadata clusters (L2 tables, refcount blocks) of the
 * layers of one backing chain, cached in the QCOW2_CACHE_SLOTS slots of
 * their shared workspace, least recently used evicted first; and, per
 * layer, the sector of its L1 table and of its refcount table last used
 * (struct qcow2_table_sector).
 *
 * The rules it keeps:
 *   - Write-through: a change is made in the slot and its sector written
 *     to the file at once (qcow2_cache_write_sector), so a slot never
 *     holds anything the file lacks and eviction writes nothing; a write
 *     that fails drops the slot.  One
 *     entry's change is one sector's write: the file has the old entry or
 *     the new one, never a mix.
 *   - A slot belongs to one layer (owner) and one host offset; a data
 *     write over a cached cluster (only a hostile image maps data onto
 *     its metadata) drops the slot, so reads stay those of the file.
 *   - A pointer into a slot is valid only until the next call here.
 *   - A table sector is written through whole, as a slot's sector is.
 */
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include "qcow2_format.h"
#include "qcow2_metadata.h"

static struct qcow2_cache_slot *find_slot(struct qcow2 *image, uint64_t offset)
{
    struct qcow2_workspace *workspace = image->workspace;

    for (unsigned index = 0; index < QCOW2_CACHE_SLOTS; index++) {
        struct qcow2_cache_slot *slot = &workspace->slots[index];
        if (slot->valid && slot->owner == image->owner && slot->offset == offset)
            return slot;
    }
    return NULL;
}

static struct qcow2_cache_slot *least_recently_used(struct qcow2_workspace *workspace)
{
    struct qcow2_cache_slot *chosen = &workspace->slots[0];

    for (unsigned index = 0; index < QCOW2_CACHE_SLOTS; index++) {
        struct qcow2_cache_slot *slot = &workspace->slots[index];
        if (!slot->valid)
            return slot;
        if (slot->last_use < chosen->last_use)
            chosen = slot;
    }
    return chosen;
}

static void claim(struct qcow2 *image, struct qcow2_cache_slot *slot, uint64_t offset)
{
    slot->valid = true;
    slot->owner = image->owner;
    slot->offset = offset;
    slot->last_use = ++image->workspace->clock;
}

int qcow2_cache_get(struct qcow2 *image, uint64_t offset, uint8_t **data)
{
    struct qcow2_cache_slot *slot = find_slot(image, offset);

    if (slot != NULL) {
        slot->last_use = ++image->workspace->clock;
        *data = slot->data;
        return 0;
    }
    slot = least_recently_used(image->workspace);
    slot->valid = false;
    int result = image->file->operations->read(image->file, offset, slot->data, image->cluster_size);
    if (result < 0)
        return result;
    claim(image, slot, offset);
    *data = slot->data;
    return 0;
}

uint8_t *qcow2_cache_fresh(struct qcow2 *image, uint64_t offset)
{
    struct qcow2_cache_slot *slot = find_slot(image, offset);

    if (slot == NULL)
        slot = least_recently_used(image->workspace);
    memset(slot->data, 0, image->cluster_size);
    claim(image, slot, offset);
    return slot->data;
}

int qcow2_cache_write_sector(struct qcow2 *image, uint64_t offset, uint64_t position)
{
    struct qcow2_cache_slot *slot = find_slot(image, offset);
    const uint64_t sector = position / IMAGE_FILE_SECTOR_SIZE * IMAGE_FILE_SECTOR_SIZE;

    if (slot == NULL || position >= image->cluster_size)
        return -XEN_EINVAL;
    int result = image->file->operations->write(image->file, offset + sector, slot->data + sector,
                                                IMAGE_FILE_SECTOR_SIZE);
    if (result < 0)
        slot->valid = false; /* it holds a change the file lacks */
    return result;
}

static bool overlaps(uint64_t start, uint64_t length, uint64_t other_start, uint64_t other_length)
{
    return start < other_start + other_length && other_start < start + length;
}

static void forget_table_sector(struct qcow2_table_sector *sector, uint64_t offset, uint64_t length)
{
    if (sector->offset != 0 && overlaps(offset, length, sector->offset, IMAGE_FILE_SECTOR_SIZE))
        sector->offset = 0;
}

void qcow2_cache_forget(struct qcow2 *image, uint64_t offset, uint64_t length)
{
    struct qcow2_workspace *workspace = image->workspace;

    for (unsigned index = 0; index < QCOW2_CACHE_SLOTS; index++) {
        struct qcow2_cache_slot *slot = &workspace->slots[index];
        if (slot->valid && slot->owner == image->owner &&
            overlaps(offset, length, slot->offset, image->cluster_size))
            slot->valid = false;
    }
    forget_table_sector(&image->l1_sector, offset, length);
    forget_table_sector(&image->reftable_sector, offset, length);
}

static int load_table_sector(struct qcow2 *image, struct qcow2_table_sector *sector, uint64_t offset)
{
    if (sector->offset == offset)
        return 0;
    sector->offset = 0;
    int result = image->file->operations->read(image->file, offset, sector->bytes, IMAGE_FILE_SECTOR_SIZE);
    if (result < 0)
        return result;
    sector->offset = offset;
    return 0;
}

int qcow2_table_load64(struct qcow2 *image, struct qcow2_table_sector *sector, uint64_t position, uint64_t *entry)
{
    int result = load_table_sector(image, sector, position / IMAGE_FILE_SECTOR_SIZE * IMAGE_FILE_SECTOR_SIZE);
    if (result < 0)
        return result;
    *entry = qcow2_load64(sector->bytes + position % IMAGE_FILE_SECTOR_SIZE);
    return 0;
}

int qcow2_table_store64(struct qcow2 *image, struct qcow2_table_sector *sector, uint64_t position, uint64_t entry)
{
    const uint64_t offset = position / IMAGE_FILE_SECTOR_SIZE * IMAGE_FILE_SECTOR_SIZE;
    int result = load_table_sector(image, sector, offset);
    if (result < 0)
        return result;
    qcow2_store64(sector->bytes + position % IMAGE_FILE_SECTOR_SIZE, entry);
    result = image->file->operations->write(image->file, offset, sector->bytes, IMAGE_FILE_SECTOR_SIZE);
    if (result < 0)
        sector->offset = 0;
    return result;
}

void qcow2_workspace_reset(struct qcow2_workspace *workspace)
{
    for (unsigned index = 0; index < QCOW2_CACHE_SLOTS; index++)
        workspace->slots[index].valid = false;
    workspace->clock = 0;
}
