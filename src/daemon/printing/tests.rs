use super::*;

#[test]
fn the_job_id_is_read_from_lp() {
    assert_eq!(
        job_id(b"request id is accueil-12 (1 file(s))\n").as_deref(),
        Some("accueil-12")
    );
    assert_eq!(job_id(b"lp: Error - no default destination\n"), None);
}

#[test]
fn a_job_state_is_read_from_the_completed_listing() {
    let listing = b"accueil-11              me               1024   Thu 03 Dec 2026\n\
        \tStatus: \n\tAlerts: processing-to-stop-point\n\tqueued for accueil\n\
        accueil-13              me               1024   Thu 03 Dec 2026\n\
        \tAlerts: job-canceled-by-user\n";
    assert_eq!(done_state(listing, "accueil-11"), PrintState::Printed);
    assert_eq!(done_state(listing, "accueil-13"), PrintState::Failed);
    assert_eq!(done_state(listing, "accueil-1"), PrintState::Failed);
    assert!(listed("accueil-12 me 1024\n\tAlerts: none\n", "accueil-12").is_some());
}

#[test]
fn lp_gets_the_document_on_stdin_under_a_fixed_title() {
    let p = Printing {
        printer: "accueil".into(),
        server: Some("/run/cups/cups.sock".into()),
        max_pages: 20,
    };
    let args: Vec<String> = lp_args(&p)
        .into_iter()
        .map(|a| a.into_string().unwrap())
        .collect();
    assert_eq!(
        args,
        [
            "-h/run/cups/cups.sock",
            "-d",
            "accueil",
            "-t",
            "guichet",
            "-"
        ]
    );
}

fn update(rx: &std::sync::mpsc::Receiver<Input>) -> Update {
    match rx.recv_timeout(Duration::from_secs(10)).expect("an answer") {
        Input::Print(u) => u,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_flood_of_requests_is_answered_failed_beyond_the_bound() {
    let printer = Printer::default();
    let printing = Printing {
        printer: "q".into(),
        server: None,
        max_pages: 5,
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let missing = PathBuf::from("/nonexistent-guichet-session");
    // Under the bound: worked on (a session dir that does not exist: unreadable), and the
    // count goes back down.
    printer.request(
        Some(&printing),
        &tx,
        ViewId(1),
        missing.clone(),
        1,
        PrintDoc::Page(1),
    );
    let u = update(&rx);
    assert_eq!((u.id, u.state), (1, PrintState::Unreadable));
    let t0 = Instant::now();
    while printer.in_flight.load(Ordering::SeqCst) != 0 {
        assert!(t0.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(5));
    }
    // At the bound: failed at once, no thread.
    printer.in_flight.store(MAX_IN_FLIGHT, Ordering::SeqCst);
    printer.request(
        Some(&printing),
        &tx,
        ViewId(1),
        missing,
        2,
        PrintDoc::Page(1),
    );
    let u = update(&rx);
    assert_eq!((u.id, u.state), (2, PrintState::Failed));
    assert_eq!(printer.in_flight.load(Ordering::SeqCst), MAX_IN_FLIGHT);
    // No printing configured: no printer.
    printer.request(None, &tx, ViewId(1), PathBuf::new(), 3, PrintDoc::Page(1));
    assert_eq!(update(&rx).state, PrintState::NoPrinter);
}
