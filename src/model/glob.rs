//! `*` wildcards, as the config's production patterns and the `/` filter's field tests use.

/// Shell-style match of all of `text`, `*` the only wildcard (production patterns, log field
/// filters).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let Some((first, rest)) = pattern.split_once('*') else {
        return pattern == text;
    };
    let (middle, last) = rest.rsplit_once('*').unwrap_or(("", rest));
    // Both ends matched first, so the slice below falls on character boundaries.
    if !text.starts_with(first) || !text.ends_with(last) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    // No allocation: a log filter matches every line of the buffer on every frame.
    for part in middle.split('*').filter(|p| !p.is_empty()) {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn production_patterns_match_as_globs() {
        assert!(glob_match("*prod*", "courier-prod"));
        assert!(glob_match("courier-prod", "courier-prod"));
        assert!(!glob_match("courier-prod", "courier-prod-2"));
        assert!(glob_match("*-prod", "courier-prod"));
        assert!(!glob_match("*-prod", "courier-production"));
        assert!(glob_match("123456789012", "123456789012"));
        assert!(glob_match("a*b*c", "a-x-b-y-c"));
        assert!(!glob_match("a*b*c", "a-x-c-y-b"));
        assert!(!glob_match("ab*ba", "aba"));
        assert!(
            !glob_match("a*é", "a€"),
            "no panic on a multi-byte mismatch"
        );
        assert!(glob_match("*é", "café"));
    }
}
