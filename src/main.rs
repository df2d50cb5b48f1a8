//! The `zhiku` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use zhiku::build::{self, Paths};

/// zhiku: build, check and preview a static knowledge base.
#[derive(Parser)]
#[command(name = "zhiku", version, about)]
struct Cli {
    /// Site root: the folder holding `content/` and `themes/`.
    #[arg(long, global = true, default_value = ".")]
    root: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into `public/` (atomically).
    Build {
        /// Output folder (default: <root>/public).
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Run every validation without writing anything.
    Check {
        /// Print diagnostics as JSON lines.
        #[arg(long)]
        json: bool,
    },
    /// Build into memory, serve on 127.0.0.1 and reload open pages on every change.
    Serve {
        /// Port to listen on (0 picks a free one; the URL is printed).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Interface to bind; anything but 127.0.0.1 exposes the preview to the network.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let root = cli.root.clone();
    anyhow::ensure!(
        root.join("content").is_dir(),
        "{} has no content/ folder (use --root to point at the site root)",
        root.display()
    );
    match cli.command {
        Command::Build { output } => {
            let mut paths = Paths::new(&root);
            if let Some(o) = output {
                paths.output = o;
            }
            match build::build(&paths) {
                Ok((stats, report)) => {
                    report.print();
                    eprintln!(
                        "built {} files into {} in {} ms ({} warning(s))",
                        stats.files,
                        paths.output.display(),
                        stats.millis,
                        report.warning_count()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err((e, report)) => {
                    report.print();
                    Err(e).context(format!(
                        "build failed; {} is unchanged",
                        paths.output.display()
                    ))
                }
            }
        }
        Command::Serve { port, host, open } => {
            zhiku::serve::serve(zhiku::serve::ServeOptions {
                paths: Paths::new(&root),
                host,
                port,
                open,
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { json } => {
            let (_, report) = build::check(&root);
            if json {
                for d in report.located() {
                    println!("{}", serde_json::to_string(&d)?);
                }
            } else {
                report.print();
            }
            eprintln!(
                "{} error(s), {} warning(s)",
                report.error_count(),
                report.warning_count()
            );
            Ok(if report.has_errors() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}
