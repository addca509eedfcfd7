#!/usr/bin/env bats
# Many husk processes on one store at once: no "database is locked".
load helpers

@test "20 concurrent husk processes on one store all succeed" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    pids=()
    for i in $(seq 1 20); do
        ( husk tag husk-test/busybox "par$i" && husk images -q >/dev/null \
          && husk image inspect "par$i" >/dev/null && husk untag husk-test/busybox "par$i" \
          && husk load -i "$HUSK_IMAGES/layers.docker.tar" >/dev/null ) \
            >"$HUSK_TMP/out.$i" 2>&1 &
        pids+=($!)
    done
    failed=0
    for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
    cat "$HUSK_TMP"/out.* >&2
    [ "$failed" -eq 0 ]
    ! grep -q "locked" "$HUSK_TMP"/out.*
    run_husk images --format '{{.Repository}}' --sort repository
    assert_output_is "$(printf 'localhost/husk-test/busybox\nlocalhost/husk-test/layers')"
}

@test "20 concurrent first opens of a fresh store all succeed" {
    pids=()
    for i in $(seq 1 20); do
        husk images -q >"$HUSK_TMP/out.$i" 2>&1 &
        pids+=($!)
    done
    failed=0
    for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
    cat "$HUSK_TMP"/out.* >&2
    [ "$failed" -eq 0 ]
}
