/* Makes `count` zombies for PID 1 to reap: forks them (each exits at once), then exits without waiting,
   so they are re-parented to the init of the PID namespace all together. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long count = argc > 1 ? atol(argv[1]) : 10000;
  for (long i = 0; i < count; i++) {
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 1; }
    if (pid == 0) _exit(0);
  }
  return 0;
}
