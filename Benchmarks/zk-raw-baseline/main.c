// zk-raw-baseline: the raw libzookeeper_mt C client, pipelined, as the
// baseline for PVCKit's ZooKeeper benchmarks (make bench).
//
// Usage: zk-raw-baseline HOSTS get|create PARENT COUNT
//   get:    reads PARENT/n0 .. PARENT/n<COUNT-1> (which must exist)
//   create: creates PARENT/n0 .. PARENT/n<COUNT-1> with 100-byte values
// Every request is submitted before any reply is awaited. Prints the elapsed
// seconds of the whole batch and the CPU seconds (user and system, every thread
// of this process) spent over the same span, on standard output.
#define THREADED
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <zookeeper/zookeeper.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int connected = 0;
static long remaining = 0;
static long failures = 0;

static void watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
  (void)zh; (void)path; (void)ctx;
  if (type == ZOO_SESSION_EVENT && state == ZOO_CONNECTED_STATE) {
    pthread_mutex_lock(&lock);
    connected = 1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
  }
}

static void finish_one(int rc) {
  pthread_mutex_lock(&lock);
  if (rc != ZOK) failures++;
  if (--remaining == 0) pthread_cond_broadcast(&cond);
  pthread_mutex_unlock(&lock);
}

static void on_data(int rc, const char *value, int len, const struct Stat *stat, const void *data) {
  (void)value; (void)len; (void)stat; (void)data;
  finish_one(rc);
}

static void on_string(int rc, const char *value, const void *data) {
  (void)value; (void)data;
  finish_one(rc);
}

static double cpu(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s HOSTS get|create PARENT COUNT\n", argv[0]);
    return 2;
  }
  const char *hosts = argv[1], *mode = argv[2], *parent = argv[3];
  long count = atol(argv[4]);
  int creating = strcmp(mode, "create") == 0;
  zoo_set_debug_level((ZooLogLevel)0);
  zhandle_t *zh = zookeeper_init(hosts, watcher, 10000, NULL, NULL, 0);
  if (!zh) { perror("zookeeper_init"); return 1; }
  pthread_mutex_lock(&lock);
  while (!connected) pthread_cond_wait(&cond, &lock);
  remaining = count;
  pthread_mutex_unlock(&lock);

  char value[100];
  memset(value, 'x', sizeof value);
  char path[512];
  double start = now();
  double cpuStart = cpu();
  for (long i = 0; i < count; i++) {
    snprintf(path, sizeof path, "%s/n%ld", parent, i);
    int rc = creating
      ? zoo_acreate(zh, path, value, sizeof value, &ZOO_OPEN_ACL_UNSAFE, 0, on_string, NULL)
      : zoo_aget(zh, path, 0, on_data, NULL);
    if (rc != ZOK) finish_one(rc);
  }
  pthread_mutex_lock(&lock);
  while (remaining > 0) pthread_cond_wait(&cond, &lock);
  pthread_mutex_unlock(&lock);
  double elapsed = now() - start;
  double cpuSpent = cpu() - cpuStart;
  zookeeper_close(zh);
  if (failures) { fprintf(stderr, "%ld requests failed\n", failures); return 1; }
  printf("%.6f %.6f\n", elapsed, cpuSpent);
  return 0;
}
