#include "wq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wq_init(wq_t *wq)
{
	wq->capacity = 16;
	wq->ring = malloc(sizeof(int) * (size_t)wq->capacity);
	if (wq->ring == NULL) {
		perror("wq_init");
		exit(1);
	}
	wq->first = 0;
	wq->size = 0;
	pthread_mutex_init(&wq->lock, NULL);
	pthread_cond_init(&wq->nonempty, NULL);
}

/* Called with the lock held: double the ring, unrolling it to start at 0. */
static void grow(wq_t *wq)
{
	int *bigger = malloc(sizeof(int) * (size_t)wq->capacity * 2);

	if (bigger == NULL) {
		perror("wq_push");
		exit(1);
	}
	for (int i = 0; i < wq->size; i++)
		bigger[i] = wq->ring[(wq->first + i) % wq->capacity];
	free(wq->ring);
	wq->ring = bigger;
	wq->first = 0;
	wq->capacity *= 2;
}

void wq_push(wq_t *wq, int client_socket_fd)
{
	pthread_mutex_lock(&wq->lock);
	if (wq->size == wq->capacity)
		grow(wq);
	wq->ring[(wq->first + wq->size) % wq->capacity] = client_socket_fd;
	wq->size++;
	pthread_cond_signal(&wq->nonempty);
	pthread_mutex_unlock(&wq->lock);
}

int wq_pop(wq_t *wq)
{
	int fd;

	pthread_mutex_lock(&wq->lock);
	/* A loop, not an if: wake-ups can be spurious, or stolen. */
	while (wq->size == 0)
		pthread_cond_wait(&wq->nonempty, &wq->lock);
	fd = wq->ring[wq->first];
	wq->first = (wq->first + 1) % wq->capacity;
	wq->size--;
	pthread_mutex_unlock(&wq->lock);
	return fd;
}
