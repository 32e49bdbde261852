/*
 * wq.h: a work queue of client sockets, shared by poolserver's threads.
 *
 * The main thread accepts connections and pushes their descriptors; the
 * worker threads pop them, one each, and serve them. wq_pop() blocks
 * while the queue is empty, so idle workers sleep instead of spinning.
 */

#ifndef WQ_H
#define WQ_H

#include <pthread.h>

typedef struct wq_item {
	int client_socket_fd;
	struct wq_item *next;
} wq_item_t;

typedef struct wq {
	int size;		/* number of items queued */
	wq_item_t *head;	/* the oldest item, popped first */
	wq_item_t *tail;	/* the newest item, pushed last */
	pthread_mutex_t lock;	/* guards every field above */
	pthread_cond_t cond;	/* signalled when an item is pushed */
} wq_t;

/* Make wq an empty queue. */
void wq_init(wq_t *wq);

/* Append a client socket at the tail, and wake one waiting worker. */
void wq_push(wq_t *wq, int client_socket_fd);

/* Remove and return the client socket at the head; wait while empty. */
int wq_pop(wq_t *wq);

#endif
