//! A private X server for end-to-end tests, and the screenshots they check.
//!
//! [`Xvfb::start`] runs `Xvfb -displayfd` on a free display, 1280×800, killed on drop.
//! [`Xvfb::screenshot`] saves the screen to `target/screenshots/`; [`Xvfb::screenshot_showing`]
//! retries until a colour shows in a rectangle (a way to wait for a screen to be painted);
//! [`Xvfb::visible_windows`] lists the mapped top-level windows (a GTK dialog, a context menu
//! or an inspector shows up there); [`Xvfb::click`] and [`Xvfb::xdotool`] drive the pointer
//! and the keyboard. [`Shot`] reads a picture taken elsewhere (cage's output, by `grim`), finds
//! a colour in it ([`Shot::find`]) and counts the pixels that differ from another picture in a
//! rectangle ([`Shot::differing_pixels`]: the toolbar before and after an attack).

use std::collections::BTreeSet;
use std::io::Read;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::TIMEOUT;

/// Where screenshots go: `target/screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    dir
}

/// What `convert` prints (`report` arguments) about the rectangle `(x, y, width, height)` of
/// the image at `path`.
fn crop_report(path: &Path, (x, y, w, h): (u32, u32, u32, u32), report: &[&str]) -> String {
    let out = Command::new("convert")
        .arg(path)
        .args(["-crop", &format!("{w}x{h}+{x}+{y}"), "+repage"])
        .args(report)
        .output()
        .expect("run convert (imagemagick)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A private X server, killed on drop.
pub struct Xvfb {
    child: Child,
    /// `:N`
    pub display: String,
}

impl Xvfb {
    /// Starts `Xvfb -displayfd` on a free display, 1280×800, and waits until it is ready.
    pub fn start() -> Xvfb {
        Xvfb::start_sized(1280, 800)
    }

    /// The same with a screen of `width`×`height`.
    pub fn start_sized(width: u32, height: u32) -> Xvfb {
        let screen = format!("{width}x{height}x24");
        let (read_end, write_end) = nix::unistd::pipe().expect("pipe for -displayfd");
        let child = Command::new("Xvfb")
            .arg("-displayfd")
            .arg(write_end.as_raw_fd().to_string())
            .args(["-screen", "0", &screen, "-nolisten", "tcp", "-noreset"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb (install it with packaging/dev-deps.sh)");
        drop(write_end);
        // Xvfb writes the display number and a newline once it accepts connections.
        let mut number = String::new();
        let mut file = std::fs::File::from(read_end);
        let mut byte = [0u8; 1];
        while file.read(&mut byte).map(|n| n == 1).unwrap_or(false) && byte[0] != b'\n' {
            number.push(byte[0] as char);
        }
        assert!(!number.is_empty(), "Xvfb did not report a display");
        Xvfb {
            child,
            display: format!(":{}", number.trim()),
        }
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("DISPLAY", &self.display);
        c
    }

    /// Saves a PNG of the whole screen as `target/screenshots/<name>.png` and returns its path.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let path = screenshot_dir().join(format!("{name}.png"));
        let status = self
            .command("import")
            .args(["-window", "root", "-display", &self.display])
            .arg(&path)
            .status()
            .expect("run import (imagemagick)");
        assert!(status.success(), "screenshot failed");
        path
    }

    /// Like [`Xvfb::screenshot`], but retries until the screen shows at least `min_colours`
    /// distinct colours (WebKit paints a while after a window maps or a page loads), and
    /// panics after [`TIMEOUT`]. Returns the path of the painted picture.
    pub fn screenshot_painted(&self, name: &str, min_colours: u32) -> PathBuf {
        self.screenshot_painted_in(name, (0, 0, 1280, 800), min_colours)
    }

    /// Like [`Xvfb::screenshot_painted`], counting colours only in the rectangle
    /// `(x, y, width, height)` (e.g. the content view below the toolbar).
    pub fn screenshot_painted_in(
        &self,
        name: &str,
        rect: (u32, u32, u32, u32),
        min_colours: u32,
    ) -> PathBuf {
        self.poll_crop(
            name,
            rect,
            &["-format", "%k", "info:"],
            |out| out.trim().parse::<u32>().unwrap_or(0) >= min_colours,
            |out| format!("the screen never showed more than {} colours", out.trim()),
        )
    }

    /// Takes screenshots until the rectangle `(x, y, width, height)` contains the colour
    /// `hex` (`"FFF4CC"`): a way to wait for a given page or screen to be painted. Panics
    /// after [`TIMEOUT`].
    pub fn screenshot_showing(&self, name: &str, rect: (u32, u32, u32, u32), hex: &str) -> PathBuf {
        let want = format!("#{}", hex.to_ascii_uppercase());
        self.poll_crop(
            name,
            rect,
            &["-unique-colors", "txt:-"],
            |out| out.to_ascii_uppercase().contains(&want),
            |_| format!("{want} never appeared on screen"),
        )
    }

    /// Takes screenshots until `done` holds for what `convert` prints about the rectangle
    /// `(x, y, width, height)` (cropped, then `report` arguments); panics after [`TIMEOUT`]
    /// with `failure` of the last output.
    pub fn poll_crop(
        &self,
        name: &str,
        (x, y, w, h): (u32, u32, u32, u32),
        report: &[&str],
        done: impl Fn(&str) -> bool,
        failure: impl Fn(&str) -> String,
    ) -> PathBuf {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let path = self.screenshot(name);
            let out = crop_report(&path, (x, y, w, h), report);
            if done(&out) {
                return path;
            }
            assert!(Instant::now() < deadline, "{name}: {}", failure(&out));
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// One screenshot, no retry: how many colours the whole screen shows now.
    pub fn colours_now(&self, name: &str) -> u32 {
        let path = self.screenshot(name);
        let out = crop_report(&path, (0, 0, 1280, 800), &["-format", "%k", "info:"]);
        out.trim().parse().unwrap_or(0)
    }

    /// Runs `xdotool ARGS…` on this display.
    pub fn xdotool(&self, args: &[&str]) {
        let status = self
            .command("xdotool")
            .args(args)
            .status()
            .expect("run xdotool");
        assert!(status.success(), "xdotool {args:?} failed");
    }

    /// Clicks at (x, y) on the screen.
    pub fn click(&self, x: u32, y: u32, button: u32) {
        self.xdotool(&[
            "mousemove",
            &x.to_string(),
            &y.to_string(),
            "click",
            &button.to_string(),
        ]);
    }

    /// Top-level windows that are viewable (mapped), as `xwininfo -root -children` lists
    /// them (one line each: id, name, geometry). A GTK dialog, a context menu popup or an
    /// inspector window shows up here.
    pub fn visible_windows(&self) -> Vec<String> {
        let out = self
            .command("xwininfo")
            .args(["-root", "-children", "-display", &self.display])
            .output()
            .expect("run xwininfo");
        let text = String::from_utf8_lossy(&out.stdout);
        let windows: Vec<(String, String)> = text
            .lines()
            .filter_map(|l| {
                let id = l.split_whitespace().next()?;
                id.starts_with("0x")
                    .then(|| (id.to_owned(), l.trim().to_owned()))
            })
            .collect();
        windows
            .into_iter()
            .filter(|(id, _)| {
                let out = self
                    .command("xwininfo")
                    .args(["-id", id, "-display", &self.display])
                    .output()
                    .expect("run xwininfo -id");
                String::from_utf8_lossy(&out.stdout).contains("Map State: IsViewable")
            })
            .map(|(_, line)| line)
            .collect()
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A screenshot on disk (e.g. of cage's output, taken by `grim`) and its size.
pub struct Shot {
    pub path: PathBuf,
    pub width: u32,
    pub height: u32,
}

impl Shot {
    pub fn open(path: PathBuf) -> Shot {
        let out = Command::new("identify")
            .args(["-format", "%w %h"])
            .arg(&path)
            .output()
            .expect("run identify (imagemagick)");
        let text = String::from_utf8_lossy(&out.stdout);
        let mut it = text
            .split_whitespace()
            .map(|n| n.parse::<u32>().unwrap_or(0));
        let (width, height) = (it.next().unwrap_or(0), it.next().unwrap_or(0));
        Shot {
            path,
            width,
            height,
        }
    }

    /// The distinct colours (`#RRGGBB`) in the rectangle `(x, y, width, height)`.
    pub fn colours(&self, (x, y, w, h): (u32, u32, u32, u32)) -> BTreeSet<String> {
        let out = crop_report(
            &self.path,
            (x, y, w, h),
            &["-alpha", "off", "-unique-colors", "-depth", "8", "txt:-"],
        );
        out.lines()
            .filter_map(|l| {
                l.split_whitespace()
                    .find(|w| w.starts_with('#') && w.len() == 7)
                    .map(|w| w.to_ascii_uppercase())
            })
            .collect()
    }

    /// The centre of the pixels of colour `hex` in the rectangle `(x, y, width, height)`, in
    /// screen coordinates (e.g. a button found by its colour), or `None`.
    pub fn find(&self, (x, y, w, h): (u32, u32, u32, u32), hex: &str) -> Option<(u32, u32)> {
        let out = crop_report(
            &self.path,
            (x, y, w, h),
            &["-alpha", "off", "-depth", "8", "txt:-"],
        );
        let want = format!("#{}", hex.to_ascii_uppercase());
        let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
        for line in out.lines() {
            // `12,34: (…)  #RRGGBB  srgb(…)`
            if !line.to_ascii_uppercase().contains(&want) {
                continue;
            }
            let Some((px, py)) = line
                .split(':')
                .next()
                .and_then(|p| p.split_once(','))
                .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)))
            else {
                continue;
            };
            (x0, y0, x1, y1) = (x0.min(px), y0.min(py), x1.max(px), y1.max(py));
        }
        (x0 != u32::MAX).then(|| (x + (x0 + x1) / 2, y + (y0 + y1) / 2))
    }

    /// How many pixels of the rectangle `(x, y, width, height)` differ between this picture
    /// and `other` (exact colours, no fuzz). A picture of the differences is saved next to
    /// this one as `<name>-diff.png` when any do.
    pub fn differing_pixels(&self, other: &Shot, (x, y, w, h): (u32, u32, u32, u32)) -> u64 {
        let crop = format!("{w}x{h}+{x}+{y}");
        let diff = self.path.with_file_name(format!(
            "{}-diff.png",
            self.path.file_stem().unwrap_or_default().to_string_lossy()
        ));
        let out = Command::new("compare")
            .args(["-metric", "AE"])
            .arg(format!("{}[{crop}]", self.path.display()))
            .arg(format!("{}[{crop}]", other.path.display()))
            .arg(&diff)
            .output()
            .expect("run compare (imagemagick)");
        // `compare` prints the count on stderr (e.g. `0`, `1234` or `1.2e+03`).
        let text = String::from_utf8_lossy(&out.stderr);
        let count = text
            .split_whitespace()
            .next()
            .and_then(|n| n.parse::<f64>().ok())
            .unwrap_or_else(|| panic!("compare failed: {text}"));
        if count == 0.0 {
            let _ = std::fs::remove_file(&diff);
        }
        count as u64
    }

    /// Whether the rectangle `r` shows the colour `hex` (`"FFF4CC"`).
    pub fn has(&self, r: (u32, u32, u32, u32), hex: &str) -> bool {
        self.colours(r)
            .contains(&format!("#{}", hex.to_ascii_uppercase()))
    }
}
