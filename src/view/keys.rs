//! The keyboard shortcut table: what reaches WebKit, what is swallowed, what zooms.
//!
//! Key presses are seen on the top-level window before any webview. Shortcuts that open
//! windows or files, print, save, show source or devtools, go full-screen or quit are
//! swallowed. With Ctrl, only editing keys pass (copy, paste, undo, select all, find,
//! reload, word moves); Ctrl +/−/0 go to the trusted zoom control instead, so the zoom stays
//! within its bounds and the toolbar shows it. F6 takes the keyboard to the toolbar, from
//! anywhere (as browsers take it to their address bar).

/// What to do with a key press.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyAction {
    /// Let WebKit have it.
    Pass,
    /// Drop it.
    Swallow,
    ZoomIn,
    ZoomOut,
    ZoomReset,
    /// F6 (Shift+F6 too): the keyboard on the toolbar, from anywhere.
    Toolbar,
}

/// Modifier state of a key press.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Mods {
    pub(crate) ctrl: bool,
    pub(crate) shift: bool,
    pub(crate) alt: bool,
    /// Super / Windows / Meta.
    pub(crate) logo: bool,
}

/// Ctrl + one of these passes (editing and reading, nothing that opens or saves).
const CTRL_ALLOWED: &[&str] = &[
    "a",
    "c",
    "v",
    "x",
    "z",
    "y",
    "f",
    "r",
    "Left",
    "Right",
    "Up",
    "Down",
    "Home",
    "End",
    "BackSpace",
    "Delete",
    "Return",
    "KP_Enter",
    "Page_Up",
    "Page_Down",
    "Insert",
];
/// Ctrl + Shift + one of these passes (redo, paste, select by word).
const CTRL_SHIFT_ALLOWED: &[&str] = &["z", "v", "Left", "Right", "Up", "Down", "Home", "End"];
/// Keys swallowed whatever the modifiers: function keys, menus, browser and system keys.
const ALWAYS_SWALLOWED: &[&str] = &[
    "F1",
    "F2",
    "F3",
    "F4",
    "F7",
    "F8",
    "F9",
    "F10",
    "F11",
    "F12",
    "Menu",
    "Print",
    "Sys_Req",
    "Help",
    "Find",
    "Open",
    "Save",
    "Close",
    "Quit",
    "New",
    "Explorer",
    "HomePage",
    "WWW",
    "Search",
    "Favorites",
    "Reload",
    "Back",
    "Forward",
    "Stop",
    "Refresh",
    "Mail",
    "Launch0",
    "Launch1",
    "LaunchA",
    "Terminal",
    "Tools",
    "ZoomIn",
    "ZoomOut",
];

/// Classifies a key press; `key` is the GDK key name (`"n"`, `"F12"`, `"plus"`…).
pub(crate) fn classify(key: &str, mods: Mods) -> KeyAction {
    // Letters are compared in lower case: Ctrl+Shift+I arrives as "I".
    let lower = if key.chars().count() == 1 {
        key.to_lowercase()
    } else {
        key.to_owned()
    };
    let key = lower.as_str();
    if key == "F6" && !(mods.ctrl || mods.alt || mods.logo) {
        return KeyAction::Toolbar;
    }
    if key == "F6" || ALWAYS_SWALLOWED.contains(&key) || key.starts_with("XF86") {
        return KeyAction::Swallow;
    }
    if mods.logo || (mods.ctrl && mods.alt) {
        return KeyAction::Swallow;
    }
    if mods.ctrl {
        match key {
            "plus" | "equal" | "KP_Add" => return KeyAction::ZoomIn,
            "minus" | "underscore" | "KP_Subtract" => return KeyAction::ZoomOut,
            "0" | "KP_0" | "KP_Insert" => return KeyAction::ZoomReset,
            _ => {}
        }
        let allowed = if mods.shift {
            CTRL_SHIFT_ALLOWED
        } else {
            CTRL_ALLOWED
        };
        return if allowed.contains(&key) {
            KeyAction::Pass
        } else {
            KeyAction::Swallow
        };
    }
    if mods.alt
        && matches!(
            key,
            "Home" | "Left" | "Right" | "Up" | "Down" | "space" | "Tab"
        )
    {
        // Alt+Home opens the home page, Alt+Left/Right navigate, Alt+Space opens the
        // window menu: the toolbar has Home and Back.
        return KeyAction::Swallow;
    }
    KeyAction::Pass
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTRL: Mods = Mods {
        ctrl: true,
        shift: false,
        alt: false,
        logo: false,
    };
    const CTRL_SHIFT: Mods = Mods {
        ctrl: true,
        shift: true,
        alt: false,
        logo: false,
    };
    const ALT: Mods = Mods {
        ctrl: false,
        shift: false,
        alt: true,
        logo: false,
    };
    const NONE: Mods = Mods {
        ctrl: false,
        shift: false,
        alt: false,
        logo: false,
    };

    #[test]
    fn dangerous_shortcuts_are_swallowed() {
        for k in [
            "n", "t", "o", "s", "p", "u", "q", "w", "l", "j", "h", "d", "e", "g", "k",
        ] {
            assert_eq!(classify(k, CTRL), KeyAction::Swallow, "Ctrl+{k}");
        }
        for k in ["I", "J", "C", "K", "E", "N", "T", "W", "Q", "P", "Delete"] {
            assert_eq!(
                classify(k, CTRL_SHIFT),
                KeyAction::Swallow,
                "Ctrl+Shift+{k}"
            );
        }
        for k in ["F11", "F12", "F7", "F1", "Menu", "XF86Back", "Print"] {
            assert_eq!(classify(k, NONE), KeyAction::Swallow, "{k}");
        }
        assert_eq!(classify("F4", ALT), KeyAction::Swallow, "Alt+F4");
        assert_eq!(classify("Home", ALT), KeyAction::Swallow, "Alt+Home");
        let super_key = Mods { logo: true, ..NONE };
        assert_eq!(classify("e", super_key), KeyAction::Swallow);
        let ctrl_alt = Mods { alt: true, ..CTRL };
        assert_eq!(classify("t", ctrl_alt), KeyAction::Swallow);
    }

    #[test]
    fn typing_and_editing_pass() {
        for k in [
            "a",
            "Z",
            "1",
            "space",
            "Return",
            "Tab",
            "BackSpace",
            "Escape",
            "F5",
        ] {
            assert_eq!(classify(k, NONE), KeyAction::Pass, "{k}");
        }
        for k in ["a", "c", "v", "x", "z", "f", "Left"] {
            assert_eq!(classify(k, CTRL), KeyAction::Pass, "Ctrl+{k}");
        }
        assert_eq!(classify("Z", CTRL_SHIFT), KeyAction::Pass);
        assert_eq!(
            classify(
                "A",
                Mods {
                    shift: true,
                    ..NONE
                }
            ),
            KeyAction::Pass
        );
        assert_eq!(classify("e", ALT), KeyAction::Pass, "access keys");
    }

    #[test]
    fn f6_goes_to_the_toolbar() {
        assert_eq!(classify("F6", NONE), KeyAction::Toolbar);
        let shift = Mods {
            shift: true,
            ..NONE
        };
        assert_eq!(classify("F6", shift), KeyAction::Toolbar);
        assert_eq!(classify("F6", CTRL), KeyAction::Swallow);
        assert_eq!(classify("F6", ALT), KeyAction::Swallow);
    }

    #[test]
    fn zoom_goes_to_the_trusted_control() {
        assert_eq!(classify("plus", CTRL), KeyAction::ZoomIn);
        assert_eq!(classify("equal", CTRL), KeyAction::ZoomIn);
        assert_eq!(classify("plus", CTRL_SHIFT), KeyAction::ZoomIn);
        assert_eq!(classify("KP_Add", CTRL), KeyAction::ZoomIn);
        assert_eq!(classify("minus", CTRL), KeyAction::ZoomOut);
        assert_eq!(classify("KP_Subtract", CTRL), KeyAction::ZoomOut);
        assert_eq!(classify("0", CTRL), KeyAction::ZoomReset);
    }
}
