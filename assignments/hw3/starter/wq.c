/*
 * wq.c: a work queue of client sockets, shared by poolserver's threads.
 *
 * A singly linked FIFO list. The list handling is given; making it safe
 * for several threads at once is yours (step 7, with the thread pool in
 * httpserver.c; see the TODOs): one mutex guards
 * every field, and a condition variable lets wq_pop() sleep while the
 * queue is empty instead of spinning or failing.
 *
 * As given, the queue works for one thread only, and wq_pop() on an
 * empty queue returns -1 at once instead of waiting.
 */

#include "wq.h"

#include <stdio.h>
#include <stdlib.h>

void wq_init(wq_t *wq)
{
	wq->size = 0;
	wq->head = NULL;
	wq->tail = NULL;
	pthread_mutex_init(&wq->lock, NULL);
	pthread_cond_init(&wq->cond, NULL);
}

void wq_push(wq_t *wq, int client_socket_fd)
{
	wq_item_t *item = malloc(sizeof *item);

	if (item == NULL) {
		/* The main thread cannot go on without memory. */
		perror("wq_push: malloc");
		exit(1);
	}
	item->client_socket_fd = client_socket_fd;
	item->next = NULL;

	/*
	 * TODO (step 7): the main thread pushes while workers pop. Lock wq->lock
	 * around the list update, and signal wq->cond so that one waiting
	 * worker wakes up.
	 */
	if (wq->tail == NULL)
		wq->head = item;
	else
		wq->tail->next = item;
	wq->tail = item;
	wq->size++;
}

int wq_pop(wq_t *wq)
{
	wq_item_t *item;
	int fd;

	/*
	 * TODO (step 7): lock wq->lock, and while the queue is empty wait on
	 * wq->cond (pthread_cond_wait() releases the lock while it sleeps).
	 * Why must that be a while loop and not an if? Unlock once the item
	 * is off the list. Then remove the early return below.
	 */
	if (wq->size == 0)
		return -1;
	item = wq->head;
	wq->head = item->next;
	if (wq->head == NULL)
		wq->tail = NULL;
	wq->size--;

	fd = item->client_socket_fd;
	free(item);
	return fd;
}
