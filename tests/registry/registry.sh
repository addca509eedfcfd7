#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The local registries the pull tests use (issue 12), shared by the root
# and the rootless BATS passes:
#
#   registry.sh start DIR   make a CA and a server certificate for
#                           127.0.0.1, an htpasswd file, and start three
#                           Docker Distribution registries on free ports:
#                             tls    TLS + htpasswd auth (user husk)
#                             plain  plain HTTP, no auth
#                             bad    plain HTTP, no auth, whose busybox
#                                    layer blob was altered on disk
#                           then push the test images with skopeo and write
#                           DIR/env (sourced by the tests) and
#                           DIR/registries.conf (docker.io mirrored to the
#                           tls registry, as a user behind a mirror has it)
#   registry.sh stop DIR    stop them and remove DIR
#   registry.sh env DIR     print DIR/env
#
# As root the CA is also installed as /etc/containers/certs.d/HOST:PORT/
# ca.crt, where every user's husk finds it; DIR is made readable by all.
# HUSK_IMAGES (default build/test-images) holds the images to push.
set -eu

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|env DIR" >&2; exit 2; }
images=${HUSK_IMAGES:-$(cd "$(dirname "$0")/../.." && pwd)/build/test-images}
user=husk
pass=husk-registry-pass

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

make_certs() {
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=husk test CA" \
        -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
        -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' >"$dir/ext.cnf"
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
        -CAcreateserial -days 2 -extfile "$dir/ext.cnf" -out "$dir/server.crt" 2>/dev/null
    mkdir -p "$dir/certs"
    cp "$dir/ca.crt" "$dir/certs/ca.crt"
}

# start_one NAME PORT TLS(yes|no) AUTH(yes|no)
start_one() {
    local name=$1 port=$2 tls=$3 auth=$4 conf=$dir/$1.yml
    mkdir -p "$dir/$name-data"
    {
        echo "version: 0.1"
        echo "log: {level: error}"
        echo "storage:"
        echo "  filesystem: {rootdirectory: $dir/$name-data}"
        echo "  delete: {enabled: true}"
        echo "http:"
        echo "  addr: 127.0.0.1:$port"
        echo "  secret: husk-test"
        if [ "$tls" = yes ]; then
            echo "  tls: {certificate: $dir/server.crt, key: $dir/server.key}"
        fi
        if [ "$auth" = yes ]; then
            echo "auth:"
            echo "  htpasswd: {realm: husk-registry, path: $dir/htpasswd}"
        fi
    } >"$conf"
    docker-registry serve "$conf" >"$dir/$name.log" 2>&1 3>&- &
    echo $! >"$dir/$name.pid"
    local scheme=http
    [ "$tls" = yes ] && scheme=https
    for _ in $(seq 100); do
        if curl -s -o /dev/null --cacert "$dir/ca.crt" "$scheme://127.0.0.1:$port/v2/"; then
            return 0
        fi
        sleep 0.05
    done
    echo "registry $name did not start:" >&2
    cat "$dir/$name.log" >&2
    return 1
}

# push SRC DEST-REF (docker://...) [skopeo dest options]
push() {
    local src=$1 dst=$2; shift 2
    skopeo copy -q --dest-cert-dir "$dir/certs" "$@" "$src" "docker://$dst" >/dev/null
}

# An OCI index with busybox as linux/amd64 and the layers image as
# linux/arm64/v8, so that platform selection picks a different image.
push_index() {
    local reg=$1 bb lay idx
    push "docker-archive:$images/busybox.docker.tar" "$reg/library/multi:amd64" \
        --dest-creds "$user:$pass" --format oci
    push "docker-archive:$images/layers.docker.tar" "$reg/library/multi:arm64" \
        --dest-creds "$user:$pass" --format oci
    manifest_ref() {
        curl -sfI --cacert "$dir/ca.crt" -u "$user:$pass" \
            -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
            "https://$reg/v2/library/multi/manifests/$1" |
            tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{d=$2} tolower($1)=="content-length"{n=$2} END{print d, n}'
    }
    read -r bb bbn < <(manifest_ref amd64)
    read -r lay layn < <(manifest_ref arm64)
    idx='{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":['
    idx+='{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"'$bb'","size":'$bbn',"platform":{"architecture":"amd64","os":"linux"}},'
    idx+='{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"'$lay'","size":'$layn',"platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]}'
    curl -sf --cacert "$dir/ca.crt" -u "$user:$pass" -X PUT \
        -H 'Content-Type: application/vnd.oci.image.index.v1+json' \
        --data-binary "$idx" "https://$reg/v2/library/multi/manifests/latest" >/dev/null
    echo "$bb" >"$dir/multi-amd64.digest"
    echo "$lay" >"$dir/multi-arm64.digest"
}

# Overwrite the busybox layer blob of the "bad" registry with other bytes
# of the same size: the registry serves them under the old digest.
tamper() {
    local reg=$1 hex f
    hex=$(curl -sf -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
        "http://$reg/v2/library/busybox/manifests/latest" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"][7:])')
    f=$dir/bad-data/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data
    [ -f "$f" ] || { echo "tamper: no blob $f" >&2; return 1; }
    python3 - "$f" <<'EOF2'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[len(b) // 2] ^= 0xff
open(p, 'wb').write(bytes(b))
EOF2
}

start() {
    rm -rf "$dir"
    mkdir -p "$dir"
    make_certs
    htpasswd -Bbc "$dir/htpasswd" "$user" "$pass" 2>/dev/null
    local tls plain bad
    tls=$(free_port); plain=$(free_port); bad=$(free_port)
    start_one tls "$tls" yes yes
    start_one plain "$plain" no no
    start_one bad "$bad" no no
    local t=127.0.0.1:$tls p=127.0.0.1:$plain b=127.0.0.1:$bad
    # In parallel: each skopeo copy compresses its layers (seconds).
    local pids=()
    push "docker-archive:$images/busybox.docker.tar" "$t/library/busybox:latest" --dest-creds "$user:$pass" & pids+=($!)
    push "docker-archive:$images/layers.docker.tar" "$t/library/layers:latest" --dest-creds "$user:$pass" & pids+=($!)
    push "oci:$images/busybox.oci:latest" "$t/husk/busybox-oci:latest" --dest-creds "$user:$pass" & pids+=($!)
    push_index "$t" & pids+=($!)
    push "docker-archive:$images/busybox.docker.tar" "$p/library/busybox:latest" --dest-tls-verify=false & pids+=($!)
    push "docker-archive:$images/busybox.docker.tar" "$b/library/busybox:latest" --dest-tls-verify=false & pids+=($!)
    for pid in "${pids[@]}"; do wait "$pid"; done
    tamper "$b"
    cat >"$dir/registries.conf" <<EOF
unqualified-search-registries = ["docker.io"]
short-name-mode = "permissive"

[[registry]]
prefix = "docker.io"
location = "docker.io"

[[registry.mirror]]
location = "$t"

[[registry]]
location = "$p"
insecure = true

[[registry]]
location = "$b"
insecure = true
EOF
    printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$t" "$(printf '%s:%s' "$user" "$pass" | base64 -w0)" \
        >"$dir/auth.json"
    if [ "$(id -u)" = 0 ]; then
        mkdir -p "/etc/containers/certs.d/$t"
        cp "$dir/ca.crt" "/etc/containers/certs.d/$t/ca.crt"
        chmod 0755 "/etc/containers/certs.d" "/etc/containers/certs.d/$t"
        chmod 0644 "/etc/containers/certs.d/$t/ca.crt"
        echo "$t" >"$dir/certs.d"
    fi
    cat >"$dir/env" <<EOF
export HUSK_REG_DIR=$dir
export HUSK_REG_TLS=$t
export HUSK_REG_PLAIN=$p
export HUSK_REG_BAD=$b
export HUSK_REG_USER=$user
export HUSK_REG_PASS=$pass
export HUSK_REG_CERTS=$dir/certs
export HUSK_REG_CONF=$dir/registries.conf
export HUSK_REG_AUTH=$dir/auth.json
export HUSK_REG_MULTI_AMD64=$(cat "$dir/multi-amd64.digest")
export HUSK_REG_MULTI_ARM64=$(cat "$dir/multi-arm64.digest")
EOF
    chmod -R a+rX "$dir"
    chmod a+rx "$(dirname "$dir")" 2>/dev/null || true
}

stop() {
    [ -d "$dir" ] || return 0
    for p in "$dir"/*.pid; do
        [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true
    done
    if [ -f "$dir/certs.d" ]; then
        rm -rf "/etc/containers/certs.d/$(cat "$dir/certs.d")"
    fi
    rm -rf "$dir"
}

case $cmd in
    start) start ;;
    stop) stop ;;
    env) cat "$dir/env" ;;
    *) echo "usage: $0 start|stop|env DIR" >&2; exit 2 ;;
esac
