/* Makes `count` zombies for PID 1 to reap: forks them (each exits at once), waits until every one has
   exited, then exits without reaping them, so they are re-parented to the init of the PID namespace all
   together. With a MARKER path it first writes "orphaning COUNT NS" there, NS being CLOCK_MONOTONIC in
   nanoseconds just before its exit: the instant a benchmark times PID 1's reaping from, taken by the storm
   itself so it is the same event whichever init is PID 1 (CLOCK_MONOTONIC is Node's process.hrtime). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int fail(const char *what) {
  perror(what);
  return 1;
}

int main(int argc, char **argv) {
  long count = argc > 1 ? atol(argv[1]) : 10000;
  const char *marker = argc > 2 ? argv[2] : NULL;
  int fd = -1;
  if (marker && (fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) return fail(marker);

  /* Every child holds the write end until it exits, so end of file on the read end means all have exited. */
  int exited[2];
  if (pipe(exited) < 0) return fail("pipe");
  for (long i = 0; i < count; i++) {
    pid_t pid = fork();
    if (pid < 0) return fail("fork");
    if (pid == 0) _exit(0);
  }
  close(exited[1]);
  char byte;
  ssize_t got;
  while ((got = read(exited[0], &byte, 1)) != 0) {
    if (got < 0) return fail("read");
  }

  if (fd >= 0) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    char line[64];
    int length = snprintf(line, sizeof line, "orphaning %ld %lld\n", count, (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
    if (write(fd, line, (size_t)length) != length) return fail(marker);
    close(fd);
  }
  return 0;
}
