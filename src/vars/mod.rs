//! TEMPORARY stub until the vars branch lands.
#![allow(missing_docs)]
use serde_json::Value;
#[derive(Debug, Clone, PartialEq)]
pub struct Variable { pub key: String, pub value: Value, pub kind: Option<String>, pub enabled: bool }
impl Variable { pub fn new(key: &str, value: Value) -> Self { Variable { key: key.into(), value, kind: None, enabled: true } } pub fn is_secret(&self) -> bool { self.kind.as_deref() == Some("secret") } }
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VariableScope { pub values: Vec<Variable> }
impl VariableScope {
  pub fn from_values(values: Vec<Variable>) -> Self { VariableScope { values } }
  pub fn get(&self, key: &str) -> Option<&Value> { self.values.iter().rev().find(|v| v.enabled && v.key == key).map(|v| &v.value) }
  pub fn has(&self, key: &str) -> bool { self.get(key).is_some() }
  pub fn set(&mut self, key: &str, value: Value) { match self.values.iter_mut().rev().find(|v| v.enabled && v.key == key) { Some(v) => v.value = value, None => self.values.push(Variable::new(key, value)) } }
  pub fn unset(&mut self, key: &str) { self.values.retain(|v| v.key != key) }
  pub fn clear(&mut self) { self.values.clear() }
  pub fn is_secret(&self, key: &str) -> bool { self.values.iter().rev().find(|v| v.enabled && v.key == key).is_some_and(|v| v.is_secret()) }
}
#[derive(Debug, Clone, Default)]
pub struct Scopes { pub local: VariableScope, pub data: VariableScope, pub environment: VariableScope, pub collection: VariableScope, pub globals: VariableScope }
impl Scopes {
  pub fn get(&self, key: &str) -> Option<&Value> { [&self.local, &self.data, &self.environment, &self.collection, &self.globals].into_iter().find_map(|s| s.get(key)) }
  pub fn resolve(&self, input: &str) -> String { let mut s = input.to_string(); for _ in 0..19 { let mut changed = false; let mut out = String::new(); let mut rest = s.as_str(); while let Some(i) = rest.find("{{") { out.push_str(&rest[..i]); let after = &rest[i+2..]; match after.find("}}") { Some(j) if !after[..j].contains('{') && !after[..j].contains('}') => { let name = &after[..j]; match self.get(name).and_then(|v| match v { Value::String(s) => Some(s.clone()), Value::Null => None, o => Some(o.to_string()) }) { Some(v) => { out.push_str(&v); changed = true; } None => { out.push_str("{{"); out.push_str(name); out.push_str("}}"); } } rest = &after[j+2..]; } _ => { out.push_str("{{"); rest = after; } } } out.push_str(rest); s = out; if !changed { break; } } s }
  pub fn is_secret(&self, key: &str) -> bool { [&self.local, &self.data, &self.environment, &self.collection, &self.globals].into_iter().find(|s| s.has(key)).is_some_and(|s| s.is_secret(key)) }
  pub fn secret_values(&self) -> Vec<String> { vec![] }
  pub fn known_names(&self) -> Vec<&str> { vec![] }
}
pub fn unresolved_names(resolved: &str) -> Vec<String> { let _ = resolved; vec![] }
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> { let _ = name; candidates.into_iter().next() }
