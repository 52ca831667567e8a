# shellcheck shell=bash
# Throwaway PKI for one e2e run: a CA the sandbox trusts, a server certificate for
# api.cloudflare.com signed by it, and a self-signed one nobody trusts.
#   make_pki DIR  ->  DIR/{ca.pem,server.pem,server.key,untrusted.pem,untrusted.key}
make_pki() {
    local dir=$1
    mkdir -p "$dir"
    (
        set -e
        cd "$dir"
        cat > server.ext <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:api.cloudflare.com,IP:127.0.0.1
EXT
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
            -subj "/CN=FailoverMonitor e2e throwaway CA $$" \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
            -keyout ca.key -out ca.pem
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
            -subj /CN=api.cloudflare.com -keyout server.key -out server.csr
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
            -extfile server.ext -out server.pem
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
            -subj /CN=api.cloudflare.com -addext subjectAltName=DNS:api.cloudflare.com,IP:127.0.0.1 \
            -keyout untrusted.key -out untrusted.pem
        chmod 644 ./*.pem ./*.key
    ) >"$dir/openssl.log" 2>&1
}
