//! The `helium` binary; the logic lives in the `helium_cli` library.

fn main() -> std::process::ExitCode {
    helium_cli::main()
}
