/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container configuration: what `husk create/run` flags (and later the
 * REST API) ask for, validated and normalised, stored as JSON in the state
 * database, and read by the OCI spec generator (runtime/spec.c) and the
 * monitor launcher.  JSON keeps the front ends, the state and the runtime
 * decoupled; this comment is the schema.  Absent keys take the defaults
 * shown.  Sizes are bytes, durations nanoseconds, signals numbers.
 *
 * {
 *   "id": "<64 hex>", "name": "web",
 *   "image": { "id": "<64 hex>", "name": "docker.io/library/busybox:latest" },
 *   "entrypoint": ["/bin/sh"] | null,    -- --entrypoint, else image's
 *   "cmd": ["echo","hi"] | null,         -- args after the image, else image's
 *   "env": ["PATH=...", "A=b"],          -- merged: image env, then --env-host,
 *                                           --env-file, -e (later wins)
 *   "workdir": "/",                      -- -w, else image WorkingDir, else "/"
 *   "user": "1000:1000" | "tester" | "" -- -u, else image User ("" = root)
 *   "group_add": ["audio", "29"],
 *   "hostname": "<first 12 of id>",      -- --hostname
 *   "tty": false, "interactive": false,  -- -t, -i
 *   "privileged": false,
 *   "cap_add": ["CAP_NET_ADMIN"], "cap_drop": ["CAP_CHOWN"] | ["ALL"],
 *   "no_new_privileges": false,
 *   "seccomp": "default" | "unconfined" | "/path/profile.json",
 *   "mask": ["/proc/x"], "unmask": ["ALL" | "/proc/kcore"],
 *   "read_only": false, "read_only_tmpfs": true,
 *   "ulimits": ["nofile=1024:2048", "nproc=100"],
 *   "sysctls": { "net.ipv4.ip_forward": "1" },
 *   "resources": { "memory": 0, "memory_swap": 0, "cpus": 0.0,
 *                  "cpu_shares": 0, "cpuset_cpus": "", "pids_limit": 2048 },
 *   "shm_size": 65536000,
 *   "mounts": [ { "type": "bind"|"volume"|"tmpfs",
 *                 "source": "/host/path" (bind; volume: resolved host path),
 *                 "name": "vol" (volume only),
 *                 "destination": "/in/container",
 *                 "options": ["ro","rbind","nosuid","size=64m", ...] } ],
 *   "secrets": [ { "name": "pw", "id": "<25 hex>", "type": "mount"|"env",
 *                  "target": "/run/secrets/pw" | "PW", "uid": 0, "gid": 0,
 *                  "mode": 292 } ],  -- --secret (container/secrets.h); absent
 *                                       when none
 *   "devices": [ { "path": "/dev/fuse", "destination": "/dev/fuse",
 *                  "permissions": "rwm" } ],
 *   "namespaces": { "network": "none"|"host"|"container:<id>"|"ns:<path>",
 *                   "pid": "private"|"host"|"container:<id>",
 *                   "ipc": "private"|"host"|"container:<id>",
 *                   "uts": "private"|"host"|"container:<id>" },
 *   "init": false, "init_path": "/usr/libexec/podman/catatonit",
 *   "labels": {}, "annotations": {},
 *   "stop_signal": 15, "stop_timeout": 10,
 *   "log": { "driver": "k8s-file"|"json-file"|"none"|"passthrough",
 *            "path": "<userdata>/ctr.log", "max_size": -1 },
 *   "restart": { "policy": "no"|"on-failure"|"always"|"unless-stopped",
 *                "max_retries": 0 },
 *   "health": null | { "test": ["CMD-SHELL","curl x"], "interval": 30e9,
 *                      "timeout": 30e9, "retries": 3, "start_period": 0,
 *                      "on_failure": "none"|"kill"|"restart"|"stop" },
 *   "rm": false,
 *   "tz": "" | "local" | "Europe/Paris",
 *   "passwd": true,                      -- add /etc/passwd and /etc/group
 *                                           entries for a numeric user
 *                                           the image lacks (container/passwd.h)
 *   "passwd_entry": "", "group_entry": "", -- their templates ("": default)
 *   "detach_keys": "ctrl-p,ctrl-q",
 *   "rlimits_clamp": true,               -- clamp to the caller's hard limits
 *   "create_command": ["husk","run",...], -- the CLI's command line (inspect)
 *   "cidfile": "/path",                  -- --cidfile (inspect's ContainerIDFile)
 *   "cidfile_path": "/abs/path"          -- the same made absolute: rm removes
 *                                           it while it holds the ID
 * }
 */
#ifndef HUSK_CONTAINER_CCFG_H
#define HUSK_CONTAINER_CCFG_H
#endif
