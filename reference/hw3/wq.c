/*
 * wq.c: a work queue of client sockets, shared by poolserver's threads.
 *
 * A singly linked FIFO list guarded by one mutex. A condition variable
 * lets wq_pop() sleep while the queue is empty: wq_push() signals it once
 * per item, so each pushed socket wakes at most one worker.
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

	pthread_mutex_lock(&wq->lock);
	if (wq->tail == NULL)
		wq->head = item;
	else
		wq->tail->next = item;
	wq->tail = item;
	wq->size++;
	pthread_cond_signal(&wq->cond);
	pthread_mutex_unlock(&wq->lock);
}

int wq_pop(wq_t *wq)
{
	wq_item_t *item;
	int fd;

	pthread_mutex_lock(&wq->lock);
	/*
	 * A loop, not an if: a wakeup may be spurious, or another worker
	 * may have taken the item between the signal and our wakeup.
	 */
	while (wq->size == 0)
		pthread_cond_wait(&wq->cond, &wq->lock);
	item = wq->head;
	wq->head = item->next;
	if (wq->head == NULL)
		wq->tail = NULL;
	wq->size--;
	pthread_mutex_unlock(&wq->lock);

	fd = item->client_socket_fd;
	free(item);
	return fd;
}
