fn main() {
    eprintln!("guichet-view: not built yet (see the kiosk-view issue)");
    std::process::exit(2)
}
