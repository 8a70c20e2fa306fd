//! Postman variable scopes: one ordered list per scope, and the five scopes a lookup walks.
//!
//! A scope is kept as an ordered list rather than a map because Postman files may repeat a key
//! or carry disabled entries, and both must survive a round trip (exports, `pm.*.toObject()`).
//! Lookups follow Newman: the last enabled entry with a key wins, disabled entries are invisible.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::cast::cast_in;
use super::resolve::{ExpansionTooLong, render_value, resolve};

/// The `type` Postman gives a variable whose value must be masked.
const SECRET_KIND: &str = "secret";

/// One Postman variable as it appears in an environment, globals, collection `variable` list or data row.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// The name looked up by `{{key}}` tokens and `pm.*.get(key)`.
    pub key: String,
    /// The value, kept as JSON so numbers, booleans and objects render the way Postman renders them.
    pub value: Value,
    /// Postman's `type` (`default`, `secret`, `text`, `any`, `string`, ...), kept verbatim for exports.
    pub kind: Option<String>,
    /// Whether lookups can see this entry (Postman's `disabled: true` makes it `false`).
    pub enabled: bool,
    /// Whether a script set the value to `undefined`: reads then give `undefined`, `{{key}}`
    /// resolves to empty text, and `value` is `null`.
    pub undefined: bool,
}

impl Variable {
    /// An enabled variable with no `type`.
    pub fn new(key: impl Into<String>, value: Value) -> Self {
        Variable {
            key: key.into(),
            value,
            kind: None,
            enabled: true,
            undefined: false,
        }
    }

    /// Whether Postman marks this variable as secret (`type: "secret"`), so its value must be masked.
    pub fn is_secret(&self) -> bool {
        self.kind.as_deref() == Some(SECRET_KIND)
    }
}

/// An ordered list of variables (one Postman scope).
///
/// Lookups and sets go through an index of the entry each key resolves to, so a script that sets
/// 100,000 variables does linear work, not quadratic. The list is only changed through methods that
/// keep that index true.
#[derive(Debug, Clone, Default)]
pub struct VariableScope {
    /// Every entry in file order, disabled ones and duplicates included.
    values: Vec<Variable>,
    /// For each key, the position of the last enabled entry with that key (the one lookups see).
    /// Hashed with foldhash: every `{{name}}` and every script's `get` and `set` looks a key up
    /// here.
    winners: foldhash::HashMap<String, usize>,
    /// Typed entries a script set to `undefined` (which their type turned into `"undefined"`,
    /// `NaN` or `false`): Newman's sandbox hands the change back as `null`, which the type then
    /// converts again (see [`Scopes::settle_undefined`]).
    typed_undefined: Vec<String>,
}

impl PartialEq for VariableScope {
    /// Two scopes are equal when their entries are; the index follows from them.
    fn eq(&self, other: &Self) -> bool {
        self.values == other.values
    }
}

impl VariableScope {
    /// A scope holding `values` in the given order.
    pub fn from_values(values: Vec<Variable>) -> Self {
        let mut scope = VariableScope {
            values,
            winners: foldhash::HashMap::default(),
            typed_undefined: Vec::new(),
        };
        scope.reindex();
        scope
    }

    /// Every entry in order, disabled ones and duplicates included.
    pub fn values(&self) -> &[Variable] {
        &self.values
    }

    /// The entries, giving up the scope.
    pub fn into_values(self) -> Vec<Variable> {
        self.values
    }

    /// Appends an entry as a file would list it (a later enabled duplicate wins lookups).
    pub fn push(&mut self, variable: Variable) {
        if variable.enabled {
            self.winners.insert(variable.key.clone(), self.values.len());
        }
        self.values.push(variable);
    }

    /// Rebuilds the index after the list changed as a whole.
    fn reindex(&mut self) {
        self.winners.clear();
        for (position, variable) in self.values.iter().enumerate() {
            if variable.enabled {
                self.winners.insert(variable.key.clone(), position);
            }
        }
    }

    /// The entry a lookup of `key` sees: the last enabled one with that key.
    pub fn entry(&self, key: &str) -> Option<&Variable> {
        self.winners
            .get(key)
            .map(|&position| &self.values[position])
    }

    /// The value of `key`: the last enabled entry with that key wins; `None` also when a script
    /// set it to `undefined`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entry(key).filter(|v| !v.undefined).map(|v| &v.value)
    }

    /// Whether an enabled entry has `key`.
    pub fn has(&self, key: &str) -> bool {
        self.winners.contains_key(key)
    }

    /// Sets `key`: updates the entry [`get`](Self::get) would return, keeping its `kind`,
    /// or appends a new enabled entry with no `kind`.
    pub fn set(&mut self, key: &str, value: Value) {
        self.set_entry(key, value, false);
    }

    /// Sets `key` to JavaScript's `undefined`: it exists (`has` is true) but reads as undefined.
    pub fn set_undefined(&mut self, key: &str) {
        self.set_entry(key, Value::Null, true);
    }

    /// Updates or appends the winning entry of `key`; an entry typed `string`, `number` or
    /// `boolean` converts the value to its type, as Newman's does.
    fn set_entry(&mut self, key: &str, value: Value, undefined: bool) {
        match self.winners.get(key) {
            Some(&position) => {
                let existing = &mut self.values[position];
                let given = (!undefined).then_some(value);
                let cast = cast_in(existing.kind.as_deref(), given);
                self.typed_undefined.retain(|k| k != key);
                if undefined && cast.is_some() {
                    self.typed_undefined.push(key.to_string());
                }
                existing.undefined = cast.is_none();
                existing.value = cast.unwrap_or(Value::Null);
            }
            None => self.push(Variable {
                undefined,
                ..Variable::new(key, value)
            }),
        }
    }

    /// Removes every entry with `key`, disabled ones included, so no older duplicate resurfaces.
    pub fn unset(&mut self, key: &str) {
        let before = self.values.len();
        self.values.retain(|v| v.key != key);
        self.typed_undefined.retain(|k| k != key);
        if self.values.len() != before {
            self.reindex();
        }
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.values.clear();
        self.winners.clear();
        self.typed_undefined.clear();
    }

    /// The enabled entries as a JSON object; for a repeated key the last enabled entry wins.
    pub fn to_object(&self) -> Map<String, Value> {
        let mut object = Map::new();
        for v in self.values.iter().filter(|v| v.enabled) {
            // Re-inserting keeps the key's first position, as assigning to a JS object does.
            object.insert(v.key.clone(), v.value.clone());
        }
        object
    }

    /// The keys of enabled entries, in first-seen order (a repeated key more than once).
    fn enabled_keys(&self) -> impl Iterator<Item = &str> {
        self.values
            .iter()
            .filter(|v| v.enabled)
            .map(|v| v.key.as_str())
    }
}

/// The five Postman scopes a lookup walks, highest precedence first.
#[derive(Debug, Clone, Default)]
pub struct Scopes {
    /// Variables set by `pm.variables.set` during the run.
    pub local: VariableScope,
    /// The current iteration's data row (`-d`).
    pub data: VariableScope,
    /// The environment (`-e`, `--env-var`).
    pub environment: VariableScope,
    /// The collection's own `variable` list.
    pub collection: VariableScope,
    /// The globals (`-g`, `--global-var`).
    pub globals: VariableScope,
}

impl Scopes {
    /// Turns the `undefined` a script left in the environment, collection variables and globals
    /// into `null`, as Newman's sandbox hands those scopes back as JSON after each script;
    /// `pm.variables` keeps `undefined`.
    pub fn settle_undefined(&mut self) {
        for scope in [
            &mut self.data,
            &mut self.environment,
            &mut self.collection,
            &mut self.globals,
        ] {
            for variable in scope.values.iter_mut().filter(|v| v.undefined) {
                variable.undefined = false;
                variable.value = Value::Null;
            }
            for key in std::mem::take(&mut scope.typed_undefined) {
                scope.set(&key, Value::Null);
            }
        }
    }

    /// The scopes in lookup order: local > data > environment > collection > globals.
    fn in_precedence(&self) -> [&VariableScope; 5] {
        [
            &self.local,
            &self.data,
            &self.environment,
            &self.collection,
            &self.globals,
        ]
    }

    /// The entry of `key` in the first scope that has it enabled.
    fn entry(&self, key: &str) -> Option<&Variable> {
        self.in_precedence().into_iter().find_map(|s| s.entry(key))
    }

    /// The value of `key` from the first scope that has it enabled (`None` when that scope holds
    /// `undefined`: lower scopes are not consulted, as in Postman).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entry(key).filter(|v| !v.undefined).map(|v| &v.value)
    }

    /// Substitutes `{{name}}` tokens in `input` from these scopes, falling back to dynamic
    /// variables (`{{$guid}}`) only when no scope defines the name. A variable holding
    /// `undefined` resolves to empty text. Values that expand without bound are an error.
    pub fn resolve(&self, input: &str) -> Result<String, ExpansionTooLong> {
        resolve(input, &|name| {
            let entry = self.entry(name)?;
            match entry.undefined {
                true => Some(String::new()),
                false => render_value(&entry.value),
            }
        })
    }

    /// Every enabled key across the scopes, each once, in precedence order (for suggestions).
    pub fn known_names(&self) -> Vec<&str> {
        let mut seen = HashSet::new();
        self.in_precedence()
            .into_iter()
            .flat_map(|s| s.enabled_keys())
            .filter(|key| seen.insert(*key))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scope(entries: &[(&str, Value)]) -> VariableScope {
        VariableScope::from_values(
            entries
                .iter()
                .map(|(k, v)| Variable::new(*k, v.clone()))
                .collect(),
        )
    }

    fn disabled(key: &str, value: Value) -> Variable {
        Variable {
            enabled: false,
            ..Variable::new(key, value)
        }
    }

    fn secret(key: &str, value: Value) -> Variable {
        Variable {
            kind: Some("secret".into()),
            ..Variable::new(key, value)
        }
    }

    #[test]
    fn last_enabled_duplicate_wins() {
        let s = scope(&[("duplicate", json!("1")), ("duplicate", json!("2"))]);
        assert_eq!(s.get("duplicate"), Some(&json!("2")));
    }

    #[test]
    fn disabled_entries_are_invisible() {
        let mut s = scope(&[("oneDisabled", json!("1"))]);
        s.push(disabled("oneDisabled", json!("2")));
        s.push(disabled("justDisabled", json!("1")));
        assert_eq!(s.get("oneDisabled"), Some(&json!("1")));
        assert!(!s.has("justDisabled"));
        assert_eq!(s.get("justDisabled"), None);
    }

    #[test]
    fn set_updates_winning_entry_and_keeps_its_kind() {
        let mut s = VariableScope::from_values(vec![secret("token", json!("old"))]);
        s.set("token", json!("new"));
        assert_eq!(s.values().len(), 1);
        assert_eq!(s.get("token"), Some(&json!("new")));
        assert!(s.values()[0].is_secret());
    }

    #[test]
    fn set_appends_when_only_a_disabled_entry_exists() {
        let mut s = VariableScope::from_values(vec![disabled("a", json!("old"))]);
        s.set("a", json!("new"));
        assert_eq!(s.values().len(), 2);
        assert_eq!(s.values()[1], Variable::new("a", json!("new")));
    }

    #[test]
    fn unset_removes_every_duplicate() {
        let mut s = scope(&[("a", json!(1)), ("b", json!(2)), ("a", json!(3))]);
        s.unset("a");
        assert!(!s.has("a"));
        assert_eq!(s.values().len(), 1);
    }

    #[test]
    fn lookups_follow_every_change_to_the_list() {
        let mut s = scope(&[("a", json!(1)), ("b", json!(2)), ("a", json!(3))]);
        s.push(disabled("b", json!("hidden")));
        s.unset("a");
        assert_eq!((s.get("a"), s.get("b")), (None, Some(&json!(2))));
        s.set("a", json!(4));
        s.set("b", json!(5));
        assert_eq!(s.values().len(), 3, "b updates its enabled entry in place");
        assert_eq!(s.values()[0].value, json!(5));
        s.set_undefined("c");
        assert!(s.has("c") && s.get("c").is_none());
        s.set("c", json!(6));
        assert_eq!(s.get("c"), Some(&json!(6)));
        assert_eq!(s, VariableScope::from_values(s.values().to_vec()));
    }

    #[test]
    fn many_distinct_keys_stay_reachable() {
        let mut s = VariableScope::default();
        for i in 0..10_000 {
            s.set(&format!("k{i}"), json!(i));
        }
        s.set("k42", json!("again"));
        assert_eq!(s.values().len(), 10_000);
        assert_eq!(s.get("k42"), Some(&json!("again")));
        assert_eq!(s.get("k9999"), Some(&json!(9999)));
    }

    #[test]
    fn clear_empties_the_scope() {
        let mut s = scope(&[("a", json!(1))]);
        s.clear();
        assert_eq!(s, VariableScope::default());
    }

    #[test]
    fn to_object_keeps_enabled_entries_last_wins() {
        let mut s = scope(&[("a", json!(1)), ("b", json!(2)), ("a", json!(3))]);
        s.push(disabled("c", json!(4)));
        let object = s.to_object();
        let keys: Vec<&str> = object.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["a", "b"],
            "a key keeps its first position, as in a JS object"
        );
        assert_eq!(Value::Object(object), json!({"a": 3, "b": 2}));
    }

    #[test]
    fn precedence_is_local_data_environment_collection_globals() {
        let mut scopes = Scopes {
            globals: scope(&[("k", json!("globals"))]),
            ..Scopes::default()
        };
        assert_eq!(scopes.get("k"), Some(&json!("globals")));
        scopes.collection = scope(&[("k", json!("collection"))]);
        assert_eq!(scopes.get("k"), Some(&json!("collection")));
        scopes.environment = scope(&[("k", json!("environment"))]);
        assert_eq!(scopes.get("k"), Some(&json!("environment")));
        scopes.data = scope(&[("k", json!("data"))]);
        assert_eq!(scopes.get("k"), Some(&json!("data")));
        scopes.local = scope(&[("k", json!("local"))]);
        assert_eq!(scopes.get("k"), Some(&json!("local")));
    }

    #[test]
    fn disabled_entry_lets_a_lower_scope_win() {
        let scopes = Scopes {
            environment: VariableScope::from_values(vec![disabled("k", json!("env"))]),
            globals: scope(&[("k", json!("globals"))]),
            ..Scopes::default()
        };
        assert_eq!(scopes.get("k"), Some(&json!("globals")));
    }

    #[test]
    fn scopes_resolve_uses_precedence_and_renders_values() {
        let scopes = Scopes {
            environment: scope(&[("port", json!(8080)), ("host", json!("env"))]),
            globals: scope(&[("host", json!("globals"))]),
            ..Scopes::default()
        };
        assert_eq!(scopes.resolve("{{host}}:{{port}}").unwrap(), "env:8080");
    }

    #[test]
    fn user_variable_named_like_dynamic_beats_builtin() {
        let scopes = Scopes {
            globals: scope(&[("$guid", json!("mine"))]),
            ..Scopes::default()
        };
        assert_eq!(scopes.resolve("{{$guid}}").unwrap(), "mine");
        assert_eq!(Scopes::default().resolve("{{$guid}}").unwrap().len(), 36);
    }

    #[test]
    fn known_names_lists_enabled_keys_once() {
        let scopes = Scopes {
            local: scope(&[("a", json!(1))]),
            environment: VariableScope::from_values(vec![
                Variable::new("envID", json!("x")),
                disabled("hidden", json!("y")),
            ]),
            globals: scope(&[("a", json!(2)), ("g", json!(3))]),
            ..Scopes::default()
        };
        assert_eq!(scopes.known_names(), vec!["a", "envID", "g"]);
    }

    #[test]
    fn a_typed_variable_converts_what_a_script_sets_as_newman_does() {
        let typed = |kind: &str| Variable {
            kind: Some(kind.into()),
            ..Variable::new("v", json!("1"))
        };
        let mut scope = VariableScope::from_values(vec![typed("string")]);
        scope.set("v", json!(123));
        assert_eq!(scope.get("v"), Some(&json!("123")));
        scope.set_undefined("v");
        assert_eq!(scope.get("v"), Some(&json!("undefined")));
        // After the script, the change comes back from Newman's sandbox as `null`.
        let mut scopes = Scopes {
            collection: scope,
            ..Scopes::default()
        };
        scopes.settle_undefined();
        assert_eq!(scopes.collection.get("v"), Some(&json!("null")));
        let mut scope = scopes.collection;
        scope.set_undefined("v");
        scope.unset("v");
        let mut scopes = Scopes {
            collection: scope,
            ..Scopes::default()
        };
        scopes.settle_undefined();
        assert!(!scopes.collection.has("v"), "an unset stays unset");
        let mut scope = VariableScope::from_values(vec![typed("number")]);
        scope.set("v", json!("7"));
        assert_eq!(scope.get("v"), Some(&json!(7)));
        let mut scope = VariableScope::from_values(vec![typed("default")]);
        scope.set("v", json!(123));
        assert_eq!(
            scope.get("v"),
            Some(&json!(123)),
            "other types keep the value"
        );
        scope.set("new", json!(5));
        assert_eq!(
            scope.get("new"),
            Some(&json!(5)),
            "a new variable has no type"
        );
    }
}
