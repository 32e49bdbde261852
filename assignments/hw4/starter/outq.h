/*
 * outq.h: a client's output queue, the bytes the server owes it.
 *
 * Bytes are appended at the tail and written from the head. The buffer
 * grows as needed; the bytes already written are reclaimed by moving the
 * rest to the front when room is needed.
 */

#ifndef OUTQ_H
#define OUTQ_H

#include <stddef.h>

struct outq {
	char *buf;
	size_t head;	/* first byte not yet written */
	size_t tail;	/* one past the last byte queued */
	size_t cap;	/* bytes allocated at buf */
};

/* Bytes queued and not yet written. */
static inline size_t outq_len(const struct outq *q)
{
	return q->tail - q->head;
}

/* Append n bytes. Returns 0, or -1 if memory ran out (queue unchanged). */
int outq_push(struct outq *q, const void *data, size_t n);

/* Forget the first n queued bytes (they have been written). */
void outq_drop(struct outq *q, size_t n);

/* Forget everything queued and give the memory back. */
void outq_free(struct outq *q);

#endif
