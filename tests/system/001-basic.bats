#!/usr/bin/env bats
# Global behaviour: version, help, usage errors and exit codes.
load helpers

@test "version prints the husk version" {
    run_husk version
    assert_output_contains "Version:      0.1.0"
    run_husk --version
    assert_output_is "husk version 0.1.0"
}

@test "an unknown command is a usage error with exit 125" {
    run_husk 125 frobnicate
    assert_output_contains "Error: unrecognized command \`husk frobnicate\`"
}

@test "an unknown flag names the flag and exits 125" {
    run_husk 125 version --bogus
    assert_output_contains "unknown flag: --bogus"
    assert_output_contains "See 'husk version --help'"
}

@test "an unknown log level is refused with exit status 1, as Podman" {
    run_husk 1 --log-level=loud version
    assert_output_contains 'log level "loud" is not supported'
    run_husk 1 images --log-level loud
    assert_output_contains 'log level "loud" is not supported'
}

@test "--help lists the commands" {
    run_husk --help
    assert_output_contains "images"
    assert_output_contains "version"
}
