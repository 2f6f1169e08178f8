//! The mbimd daemon (placeholder until the modem actor and D-Bus layer land).

fn main() -> anyhow::Result<()> {
    anyhow::bail!("mbimd: the daemon is not built yet; see `mbcli decode`")
}
