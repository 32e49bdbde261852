/*
 * outq.c: a client's output queue (see outq.h).
 */

#include "outq.h"

#include <stdlib.h>
#include <string.h>

int outq_push(struct outq *q, const void *data, size_t n)
{
	if (q->cap - q->tail < n && q->head > 0) {
		/* Reuse the room at the front before growing. */
		memmove(q->buf, q->buf + q->head, outq_len(q));
		q->tail -= q->head;
		q->head = 0;
	}
	if (q->cap - q->tail < n) {
		size_t cap = q->cap ? q->cap : 4096;
		char *buf;

		while (cap - q->tail < n)
			cap *= 2;
		buf = realloc(q->buf, cap);
		if (buf == NULL)
			return -1;
		q->buf = buf;
		q->cap = cap;
	}
	memcpy(q->buf + q->tail, data, n);
	q->tail += n;
	return 0;
}

void outq_drop(struct outq *q, size_t n)
{
	q->head += n;
	if (q->head == q->tail)
		q->head = q->tail = 0;	/* empty: start again at the front */
}

void outq_free(struct outq *q)
{
	free(q->buf);
	q->buf = NULL;
	q->head = q->tail = q->cap = 0;
}
