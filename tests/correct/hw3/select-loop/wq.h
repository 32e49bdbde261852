/*
 * wq: a blocking FIFO of client sockets for poolserver, kept in a ring
 * buffer that doubles when full. Safe to share between threads.
 */
#ifndef WQ_H
#define WQ_H

#include <pthread.h>

typedef struct wq {
	int *ring;		/* capacity slots, size of them in use from first */
	int capacity;
	int first;
	int size;
	pthread_mutex_t lock;	/* guards the four fields above */
	pthread_cond_t nonempty;	/* signalled on every push */
} wq_t;

void wq_init(wq_t *wq);
void wq_push(wq_t *wq, int client_socket_fd);
int wq_pop(wq_t *wq);	/* sleeps while the queue is empty */

#endif
