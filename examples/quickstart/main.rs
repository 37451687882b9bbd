//! `cargo run --example quickstart`: resolve the configuration, check the backend's health, stream an agent
//! run and print a summary. With no backend configured (`BACKEND_INTERNAL_URL` and `NEXT_PUBLIC_BACKEND_URL`
//! unset) it starts the local dev backend in-process. The logic is `helium quickstart` of `crates/helium-cli`.

fn main() -> std::process::ExitCode {
    helium_cli::quickstart_main()
}
