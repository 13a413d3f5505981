module unipos.example/bench-peers/moov

go 1.22

// github.com/moov-io/iso8583 is added by scripts/bench/peers.sh (go get, from the Go module
// proxy, into a cache copy of this directory): nothing is vendored here.
