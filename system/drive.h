/* -drive options (system/drive.c). */
#ifndef SYSTEM_DRIVE_H
#define SYSTEM_DRIVE_H

#include <glib.h>

/*
 * Opens the image a -drive spec names and registers it as a block-layer
 * drive (rove/block.h: block_drive_find).  index: which -drive this is,
 * for the default id "drive<index>".  Returns the -device spec that serves
 * it ("virtio-blk-device,drive=ID"), "" for if=none, or NULL with errp set
 * (one line, without the "-drive" prefix).  g_free the result.
 */
char *drive_add(const char *spec, unsigned index, GError **errp);

#endif /* SYSTEM_DRIVE_H */
