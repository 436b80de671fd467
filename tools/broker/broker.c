/*
 * thoughtspace test broker: librdkafka's mock cluster on loopback, for tests
 * and local runs only (production points KAFKA_BROKERS at a real cluster).
 *
 *   broker [--brokers N] [--stay] topic:partitions [topic:partitions ...]
 *
 * Creates the topics (the mock does not support CreateTopics), prints
 * "bootstrap <host:port,...>" on stdout, then reads one command per line on
 * stdin and answers each with "ok <command>" or "error <reason>":
 *
 *   down <broker|-1>                      rd_kafka_mock_broker_set_down
 *   up <broker|-1>                        rd_kafka_mock_broker_set_up
 *   rtt <broker|-1> <ms>                  rd_kafka_mock_broker_set_rtt
 *   errors <ApiKey> <errcode> [errcode..] rd_kafka_mock_push_request_errors_array
 *   leader <topic> <partition> <broker>   rd_kafka_mock_partition_set_leader
 *   quit                                  stop (so does end of stdin, unless
 *                                         --stay: then it runs until a signal;
 *                                         `thoughtspace up` starts it so)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MAX_ERRORS 64

static int parse_int(const char *s, long *out) {
  char *end;
  if (s == NULL) return 0;
  errno = 0;
  *out = strtol(s, &end, 10);
  return errno == 0 && end != s && *end == '\0';
}

static void reply(const char *status, const char *text) {
  printf("%s %s\n", status, text);
  fflush(stdout);
}

static void reply_err(const char *cmd, rd_kafka_resp_err_t err) {
  if (err) {
    printf("error %s: %s\n", cmd, rd_kafka_err2str(err));
    fflush(stdout);
  } else {
    reply("ok", cmd);
  }
}

static void run_command(rd_kafka_mock_cluster_t *mc, char *line) {
  char copy[1024];
  snprintf(copy, sizeof copy, "%s", line);
  char *argv[MAX_ERRORS + 2];
  int argc = 0;
  for (char *tok = strtok(line, " \t"); tok && argc < MAX_ERRORS + 2; tok = strtok(NULL, " \t"))
    argv[argc++] = tok;
  if (argc == 0) return;
  long a, b, c;
  if ((!strcmp(argv[0], "down") || !strcmp(argv[0], "up")) && argc == 2 && parse_int(argv[1], &a)) {
    rd_kafka_resp_err_t err = !strcmp(argv[0], "down")
                                  ? rd_kafka_mock_broker_set_down(mc, (int32_t)a)
                                  : rd_kafka_mock_broker_set_up(mc, (int32_t)a);
    reply_err(copy, err);
  } else if (!strcmp(argv[0], "rtt") && argc == 3 && parse_int(argv[1], &a) &&
             parse_int(argv[2], &b) && b >= 0) {
    reply_err(copy, rd_kafka_mock_broker_set_rtt(mc, (int32_t)a, (int)b));
  } else if (!strcmp(argv[0], "errors") && argc >= 3 && parse_int(argv[1], &a)) {
    rd_kafka_resp_err_t errs[MAX_ERRORS];
    int n = 0;
    for (int i = 2; i < argc; i++) {
      if (!parse_int(argv[i], &c)) {
        reply("error", "errors: error codes must be integers (Kafka protocol codes)");
        return;
      }
      errs[n++] = (rd_kafka_resp_err_t)c;
    }
    rd_kafka_mock_push_request_errors_array(mc, (int16_t)a, (size_t)n, errs);
    reply("ok", copy);
  } else if (!strcmp(argv[0], "leader") && argc == 4 && parse_int(argv[2], &a) &&
             parse_int(argv[3], &b)) {
    reply_err(copy, rd_kafka_mock_partition_set_leader(mc, argv[1], (int32_t)a, (int32_t)b));
  } else {
    reply("error", "unknown or malformed command (down|up <broker>, rtt <broker> <ms>, "
                   "errors <apikey> <code>..., leader <topic> <partition> <broker>, quit)");
  }
}

int main(int argc, char **argv) {
  long brokers = 3;
  int first = 1;
  int stay = 0;
  while (first < argc && !strncmp(argv[first], "--", 2)) {
    if (!strcmp(argv[first], "--stay")) {
      stay = 1;
      first += 1;
    } else if (!strcmp(argv[first], "--brokers") && first + 1 < argc) {
      if (!parse_int(argv[first + 1], &brokers) || brokers < 1 || brokers > 16) {
        fprintf(stderr, "broker: --brokers must be an integer in 1..16, got %s\n",
                argv[first + 1]);
        return 2;
      }
      first += 2;
    } else {
      fprintf(stderr, "broker: unknown option %s (--brokers N, --stay)\n", argv[first]);
      return 2;
    }
  }
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "broker: %s\n", errstr);
    return 1;
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    fprintf(stderr, "broker: rd_kafka_new: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, (int)brokers);
  if (!mc) {
    fprintf(stderr, "broker: rd_kafka_mock_cluster_new failed\n");
    return 1;
  }
  for (int i = first; i < argc; i++) {
    char name[256];
    long parts;
    const char *colon = strrchr(argv[i], ':');
    if (!colon || colon == argv[i] || (size_t)(colon - argv[i]) >= sizeof name ||
        !parse_int(colon + 1, &parts) || parts < 1) {
      fprintf(stderr, "broker: topic argument must be name:partitions (partitions >= 1), got %s\n",
              argv[i]);
      return 2;
    }
    snprintf(name, sizeof name, "%.*s", (int)(colon - argv[i]), argv[i]);
    rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(mc, name, (int)parts, brokers < 3 ? (int)brokers : 3);
    if (err) {
      fprintf(stderr, "broker: creating topic %s: %s\n", name, rd_kafka_err2str(err));
      return 1;
    }
  }
  printf("bootstrap %s\n", rd_kafka_mock_cluster_bootstraps(mc));
  fflush(stdout);
  char line[1024];
  int quit = 0;
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\r\n")] = '\0';
    if (!strcmp(line, "quit")) {
      reply("ok", "quit");
      quit = 1;
      break;
    }
    run_command(mc, line);
  }
  /* --stay: no stdin to read (a detached process); SIGTERM's default action ends it. */
  if (stay && !quit) {
    for (;;) pause();
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
