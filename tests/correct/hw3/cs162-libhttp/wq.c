#include <stdio.h>
#include <stdlib.h>

#include "wq.h"

/* Initializes a work queue WQ. */
void wq_init(wq_t *wq) {
  wq->size = 0;
  wq->head = NULL;
  pthread_mutex_init(&wq->lock, NULL);
  pthread_cond_init(&wq->cond, NULL);
}

/* Remove an item from the WQ. This function blocks until there is an item
 * available: the worker sleeps on the condition variable meanwhile. */
int wq_pop(wq_t *wq) {
  pthread_mutex_lock(&wq->lock);
  while (wq->size == 0)
    pthread_cond_wait(&wq->cond, &wq->lock);

  wq_item_t *wq_item = wq->head;
  if (wq_item->next == wq_item) {
    wq->head = NULL;
  } else {
    wq_item->prev->next = wq_item->next;
    wq_item->next->prev = wq_item->prev;
    wq->head = wq_item->next;
  }
  wq->size--;
  pthread_mutex_unlock(&wq->lock);

  int client_socket_fd = wq_item->client_socket_fd;
  free(wq_item);
  return client_socket_fd;
}

/* Add ITEM to WQ, at the tail, and wake one waiting worker. */
void wq_push(wq_t *wq, int client_socket_fd) {
  wq_item_t *wq_item = calloc(1, sizeof(wq_item_t));
  if (wq_item == NULL) {
    perror("wq_push");
    exit(1);
  }
  wq_item->client_socket_fd = client_socket_fd;

  pthread_mutex_lock(&wq->lock);
  if (wq->head == NULL) {
    wq_item->next = wq_item->prev = wq_item;
    wq->head = wq_item;
  } else {
    wq_item->next = wq->head;
    wq_item->prev = wq->head->prev;
    wq->head->prev->next = wq_item;
    wq->head->prev = wq_item;
  }
  wq->size++;
  pthread_cond_signal(&wq->cond);
  pthread_mutex_unlock(&wq->lock);
}
