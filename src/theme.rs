//! Themes: `themes/*.toml`, one `[colors]` table. Built-in themes are compiled in; a name is
//! looked up first in `$XDG_CONFIG_HOME/stackdeck/themes/NAME.toml`, a path is read as is. A bad
//! file is an error naming the file and the key.

use ratatui::style::Color;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The colours every panel draws with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Theme {
    pub name: String,
    pub text: Color,
    pub muted: Color,
    pub border: Color,
    pub focus: Color,
    pub title: Color,
    pub ok: Color,
    pub warn: Color,
    pub alarm: Color,
    pub error: Color,
    pub accent: Color,
    pub chart: Color,
    pub threshold: Color,
    pub header: Color,
    pub selection: Color,
}

/// The built-in themes: name and file text.
pub const BUILT_IN: [(&str, &str); 3] = [
    ("dark", include_str!("../themes/dark.toml")),
    ("light", include_str!("../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../themes/high-contrast.toml"),
    ),
];

const KEYS: [&str; 14] = [
    "text",
    "muted",
    "border",
    "focus",
    "title",
    "ok",
    "warn",
    "alarm",
    "error",
    "accent",
    "chart",
    "threshold",
    "header",
    "selection",
];

impl Default for Theme {
    fn default() -> Self {
        Theme::parse("dark", BUILT_IN[0].1, "themes/dark.toml")
            .expect("the built-in theme is valid")
    }
}

impl Theme {
    /// Parse a theme file's text; `origin` names the file in errors. Keys missing from the file
    /// keep the dark theme's colour.
    pub fn parse(name: &str, text: &str, origin: &str) -> Result<Theme, String> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            format!("theme {origin}: not valid TOML: {}", e.message())
        })?;
        let mut theme = if name == "dark" && origin == "themes/dark.toml" {
            // Bootstrapping the default itself: start from plain colours.
            Theme::plain()
        } else {
            Theme::default()
        };
        theme.name = name.to_owned();
        for (section, value) in &table {
            if section != "colors" {
                return Err(format!(
                    "theme {origin}: unknown table or key `{section}` (a theme has only [colors])"
                ));
            }
            let Some(colors) = value.as_table() else {
                return Err(format!(
                    "theme {origin}: `colors` must be a table ([colors])"
                ));
            };
            for (key, value) in colors {
                let Some(text) = value.as_str() else {
                    return Err(format!(
                        "theme {origin}: key `colors.{key}` must be a string such as \"red\" or \"#ff0000\""
                    ));
                };
                let color = Color::from_str(text).map_err(|_| {
                    format!(
                        "theme {origin}: key `colors.{key}`: `{text}` is not a colour (a name such as red, \"#rrggbb\" or 0-255)"
                    )
                })?;
                let slot = theme.slot(key).ok_or_else(|| {
                    format!(
                        "theme {origin}: unknown key `colors.{key}` (known: {})",
                        KEYS.join(", ")
                    )
                })?;
                *slot = color;
            }
        }
        Ok(theme)
    }

    fn plain() -> Theme {
        Theme {
            name: String::new(),
            text: Color::Reset,
            muted: Color::DarkGray,
            border: Color::Gray,
            focus: Color::Cyan,
            title: Color::White,
            ok: Color::Green,
            warn: Color::Yellow,
            alarm: Color::Red,
            error: Color::LightRed,
            accent: Color::LightBlue,
            chart: Color::Cyan,
            threshold: Color::Red,
            header: Color::White,
            selection: Color::DarkGray,
        }
    }

    fn slot(&mut self, key: &str) -> Option<&mut Color> {
        Some(match key {
            "text" => &mut self.text,
            "muted" => &mut self.muted,
            "border" => &mut self.border,
            "focus" => &mut self.focus,
            "title" => &mut self.title,
            "ok" => &mut self.ok,
            "warn" => &mut self.warn,
            "alarm" => &mut self.alarm,
            "error" => &mut self.error,
            "accent" => &mut self.accent,
            "chart" => &mut self.chart,
            "threshold" => &mut self.threshold,
            "header" => &mut self.header,
            "selection" => &mut self.selection,
            _ => return None,
        })
    }

    /// The colour of an alarm, rollout or health state.
    pub fn state(&self, state: &str) -> Color {
        match state {
            "ALARM" | "FAILED" | "UNHEALTHY" | "unhealthy" | "STOPPED" => self.alarm,
            "INSUFFICIENT_DATA" | "IN_PROGRESS" | "PENDING" | "PROVISIONING" | "ACTIVATING"
            | "DEACTIVATING" | "STOPPING" | "DEPROVISIONING" | "initial" | "draining"
            | "UNKNOWN" | "unused" | "unavailable" | "" => self.warn,
            _ => self.ok,
        }
    }
}

/// The user's theme folder: `$XDG_CONFIG_HOME/stackdeck/themes` (or `~/.config/...`).
pub fn user_dir() -> Option<PathBuf> {
    crate::config::config_dir().map(|d| d.join("themes"))
}

/// Load a theme by name or path (I/O: only the effects runner and start-up call this).
pub fn load(name_or_path: &str) -> Result<Theme, String> {
    let is_path = name_or_path.contains('/') || name_or_path.ends_with(".toml");
    if is_path {
        let path = Path::new(name_or_path);
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("theme {}: cannot read it: {e}", path.display()))?;
        let name = path.file_stem().map_or(name_or_path.to_owned(), |s| {
            s.to_string_lossy().into_owned()
        });
        return Theme::parse(&name, &text, &path.display().to_string());
    }
    if let Some(path) = user_dir().map(|d| d.join(format!("{name_or_path}.toml"))) {
        if path.exists() {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("theme {}: cannot read it: {e}", path.display()))?;
            return Theme::parse(name_or_path, &text, &path.display().to_string());
        }
    }
    match BUILT_IN.iter().find(|(n, _)| *n == name_or_path) {
        Some((name, text)) => Theme::parse(name, text, &format!("themes/{name}.toml")),
        None => Err(format!(
            "theme `{name_or_path}` not found: built in are {}; or put {name_or_path}.toml in {}",
            BUILT_IN.map(|(n, _)| n).join(", "),
            user_dir().map_or("$XDG_CONFIG_HOME/stackdeck/themes".into(), |d| d
                .display()
                .to_string())
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_theme_parses() {
        for (name, text) in BUILT_IN {
            let theme = Theme::parse(name, text, name).unwrap();
            assert_eq!(theme.name, name);
        }
        assert_eq!(load("light").unwrap().name, "light");
    }

    #[test]
    fn a_bad_theme_names_the_file_and_the_key() {
        let err = Theme::parse("x", "[colors]\nok = \"purplish\"\n", "/t/x.toml").unwrap_err();
        assert!(
            err.contains("/t/x.toml") && err.contains("colors.ok"),
            "{err}"
        );
        let err = Theme::parse("x", "[colors]\nokay = \"red\"\n", "/t/x.toml").unwrap_err();
        assert!(err.contains("colors.okay"), "{err}");
        let err = Theme::parse("x", "[colours]\n", "/t/x.toml").unwrap_err();
        assert!(err.contains("colours"), "{err}");
        let err = Theme::parse("x", "[colors\n", "/t/x.toml").unwrap_err();
        assert!(err.contains("/t/x.toml"), "{err}");
        assert!(load("nope")
            .unwrap_err()
            .contains("dark, light, high-contrast"));
    }
}
