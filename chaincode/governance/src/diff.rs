//! The config update between two configs, computed as `configtxlator
//! compute_update` does: the write set holds every changed element with its
//! version bumped (and, for a group whose members changed, all its members at
//! their current versions); the read set pins the versions the change builds on.

use std::collections::HashMap;

use gridledger_protos::common::{Config, ConfigGroup, ConfigPolicy, ConfigUpdate, ConfigValue};

use crate::error::{Error, Result};

/// The update that turns `original` into `updated` on `channel`.
pub fn compute_update(channel: &str, original: &Config, updated: &Config) -> Result<ConfigUpdate> {
    let empty = ConfigGroup::default();
    let orig = original.channel_group.as_ref().unwrap_or(&empty);
    let upd = updated.channel_group.as_ref().unwrap_or(&empty);
    let (read_set, write_set, changed) = group_update(orig, upd);
    if !changed {
        return Err(Error::NoChange);
    }
    Ok(ConfigUpdate {
        channel_id: channel.to_owned(),
        read_set: Some(read_set),
        write_set: Some(write_set),
        isolated_data: HashMap::new(),
    })
}

/// Elements of one kind (policies, values or groups) split into what is read,
/// written, unchanged, and whether members were added or removed.
struct Members<T> {
    read: HashMap<String, T>,
    write: HashMap<String, T>,
    same: HashMap<String, T>,
    membership_changed: bool,
}

impl<T: Clone> Members<T> {
    fn new() -> Self {
        Members { read: HashMap::new(), write: HashMap::new(), same: HashMap::new(), membership_changed: false }
    }

    /// Reads and writes the unchanged members too, at their versions: a group whose membership changed lists
    /// every member that stays.
    fn keep_unchanged(&mut self) {
        for (k, v) in self.same.drain() {
            self.read.insert(k.clone(), v.clone());
            self.write.insert(k, v);
        }
    }
}

/// A policy or a value: a leaf of the config tree, compared by its content and mod_policy.
trait Leaf: Clone + Default {
    fn version(&self) -> u64;
    /// `self` at `version`, content kept.
    fn at(&self, version: u64) -> Self;
    /// Only the version, as the read and unchanged sets carry it.
    fn version_only(&self) -> Self {
        Self::default().at(self.version())
    }
    /// Same content and mod_policy.
    fn same_as(&self, other: &Self) -> bool;
}

/// The two leaf types differ only in the name of their content field.
macro_rules! leaf {
    ($ty:ident, $content:ident) => {
        impl Leaf for $ty {
            fn version(&self) -> u64 {
                self.version
            }
            fn at(&self, version: u64) -> Self {
                $ty { version, ..self.clone() }
            }
            fn same_as(&self, other: &Self) -> bool {
                self.mod_policy == other.mod_policy && self.$content == other.$content
            }
        }
    };
}

leaf!(ConfigPolicy, policy);
leaf!(ConfigValue, value);

/// The policies or values of a group: changed ones written at the next version, new ones at 0, unchanged ones kept
/// with their version; any added or removed one changes the membership.
fn leaves_update<T: Leaf>(orig: &HashMap<String, T>, upd: &HashMap<String, T>) -> Members<T> {
    let mut m = Members::new();
    for (name, o) in orig {
        let Some(u) = upd.get(name) else {
            m.membership_changed = true;
            continue;
        };
        if o.same_as(u) {
            m.same.insert(name.clone(), o.version_only());
        } else {
            m.write.insert(name.clone(), u.at(o.version() + 1));
        }
    }
    for (name, u) in upd {
        if !orig.contains_key(name) {
            m.membership_changed = true;
            m.write.insert(name.clone(), u.at(0));
        }
    }
    m
}

fn groups_update(orig: &HashMap<String, ConfigGroup>, upd: &HashMap<String, ConfigGroup>) -> Members<ConfigGroup> {
    let mut m = Members::new();
    for (name, o) in orig {
        let Some(u) = upd.get(name) else {
            m.membership_changed = true;
            continue;
        };
        let (read, write, changed) = group_update(o, u);
        if changed {
            m.read.insert(name.clone(), read);
            m.write.insert(name.clone(), write);
        } else {
            m.same.insert(name.clone(), read);
        }
    }
    for (name, u) in upd {
        if !orig.contains_key(name) {
            m.membership_changed = true;
            m.write.insert(name.clone(), u.clone());
        }
    }
    m
}

/// (read set, write set, changed) of one group.
fn group_update(orig: &ConfigGroup, upd: &ConfigGroup) -> (ConfigGroup, ConfigGroup, bool) {
    let mut policies = leaves_update(&orig.policies, &upd.policies);
    let mut values = leaves_update(&orig.values, &upd.values);
    let mut groups = groups_update(&orig.groups, &upd.groups);
    let membership_changed = policies.membership_changed || values.membership_changed || groups.membership_changed;
    if !membership_changed && orig.mod_policy == upd.mod_policy {
        let untouched = policies.write.is_empty() && values.write.is_empty() && groups.write.is_empty();
        if untouched {
            let pinned = ConfigGroup { version: orig.version, ..Default::default() };
            return (pinned.clone(), pinned, false);
        }
        let (read, write) = read_write(orig.version, (orig.version, String::new()), policies, values, groups);
        return (read, write, true);
    }
    // Members were added or removed (or the group's own mod_policy changed): the
    // group's version goes up and the write set lists every member that stays.
    policies.keep_unchanged();
    values.keep_unchanged();
    groups.keep_unchanged();
    let (read, write) = read_write(orig.version, (orig.version + 1, upd.mod_policy.clone()), policies, values, groups);
    (read, write, true)
}

/// The group's read set (at `version`) and write set (at `write.0`, with mod_policy `write.1`) of these members.
fn read_write(
    version: u64,
    write: (u64, String),
    policies: Members<ConfigPolicy>,
    values: Members<ConfigValue>,
    groups: Members<ConfigGroup>,
) -> (ConfigGroup, ConfigGroup) {
    let read = ConfigGroup {
        version,
        policies: policies.read,
        values: values.read,
        groups: groups.read,
        mod_policy: String::new(),
    };
    let write = ConfigGroup {
        version: write.0,
        policies: policies.write,
        values: values.write,
        groups: groups.write,
        mod_policy: write.1,
    };
    (read, write)
}
