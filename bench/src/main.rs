//! `acs-chat-bench`: measures the emulator (and, as they land, the clients) side by side in one run,
//! and writes `bench/README.md` and `bench/results.json`.

mod bare_http;
mod emulator_process;
mod report;
mod scenarios;

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// Command-line settings of one benchmark run.
#[derive(Parser, Debug)]
#[command(
    about = "Benchmarks acs-chat and its emulator; writes bench/README.md and bench/results.json"
)]
struct Args {
    /// Path of the emulator binary (build it with `cargo build --release -p acs-chat-emulator`).
    #[arg(long, default_value = "target/release/acs-chat-emulator")]
    emulator_bin: PathBuf,
    /// Directory that receives README.md and results.json [default: bench, or target/bench-quick with
    /// --quick so that a harness check never replaces the published figures].
    #[arg(long)]
    out_dir: Option<PathBuf>,
    /// A short run that checks the harness works (figures are not meaningful).
    #[arg(long)]
    quick: bool,
    /// Rounds per scenario (alternating scenarios between rounds).
    #[arg(long)]
    rounds: Option<usize>,
    /// Seconds each round measures.
    #[arg(long)]
    seconds: Option<f64>,
    /// The C `send_message` loop program (`make ffi-bench-build` builds target/release/ffi-bench/bench_send);
    /// scenario 4 is skipped without it.
    #[arg(long)]
    c_bench: Option<PathBuf>,
    /// The bench venv's Python (acs_chat and azure-communication-chat==1.2.0 installed); scenario 3 is
    /// skipped without it.
    #[arg(long)]
    python: Option<PathBuf>,
    /// The Python driver script of scenario 3.
    #[arg(long, default_value = "bench/python/driver.py")]
    python_driver: PathBuf,
    /// Concurrent keep-alive connections of the load generator.
    #[arg(long, default_value_t = 8)]
    connections: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let settings = scenarios::Settings {
        rounds: args.rounds.unwrap_or(if args.quick { 2 } else { 5 }),
        round_time: Duration::from_secs_f64(args.seconds.unwrap_or(if args.quick {
            1.0
        } else {
            3.0
        })),
        connections: args.connections.max(1),
    };
    eprintln!(
        "bench: starting the emulator ({})",
        args.emulator_bin.display()
    );
    let emulator = emulator_process::EmulatorProcess::start(&args.emulator_bin, false)?;
    let mut results = scenarios::emulator_throughput(&emulator, &settings).await?;
    results.extend(scenarios::engine_vs_bare(&emulator, &settings).await?);
    match args.c_bench {
        Some(program) => {
            eprintln!("bench: scenario 4, C send_message loop vs the Rust engine");
            results.extend(scenarios::c_vs_engine(&emulator, &settings, program).await?);
        }
        None => eprintln!("bench: scenario 4 skipped (no --c-bench program)"),
    }
    drop(emulator);
    let chart_python = args.python.clone();
    match args.python {
        Some(python) => {
            eprintln!("bench: scenario 3, Python acs_chat vs azure-communication-chat 1.2.0 (TLS emulator)");
            let setup = scenarios::PythonSetup {
                python,
                driver: args.python_driver.clone(),
                quick: args.quick,
                emulator_bin: args.emulator_bin.clone(),
            };
            results.extend(scenarios::python_vs_official(setup, &settings).await?);
        }
        None => eprintln!("bench: scenario 3 skipped (no --python interpreter)"),
    }
    let out_dir = args.out_dir.unwrap_or_else(|| {
        PathBuf::from(if args.quick {
            "target/bench-quick"
        } else {
            "bench"
        })
    });
    report::write(&out_dir, &results, &settings, args.quick)?;
    eprintln!("bench: wrote {}", out_dir.join("README.md").display());
    let has_matplotlib = |python: &std::path::Path| {
        std::process::Command::new(python)
            .args(["-c", "import matplotlib"])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if let Some(python) = chart_python
        .as_deref()
        .filter(|p| !args.quick || has_matplotlib(p))
    {
        let chart = std::process::Command::new(python)
            .arg(args.python_driver.with_file_name("chart.py"))
            .arg(out_dir.join("results.json"))
            .arg(out_dir.join("ratios.png"))
            .status()?;
        if !chart.success() {
            anyhow::bail!(
                "drawing {} failed ({chart})",
                out_dir.join("ratios.png").display()
            );
        }
        eprintln!("bench: wrote {}", out_dir.join("ratios.png").display());
    }
    Ok(())
}
