//! Who may call the emulator: its users and their tokens, and the
//! components (services) Astakos registered with theirs. Every service
//! authenticates through this, so it sits below all of them.

use std::sync::RwLock;

/// A user of the emulated cloud.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// The user's uuid: their id everywhere, and their Pithos account.
    pub uuid: String,
    /// The display name (an email address, as Astakos has it).
    pub email: String,
    /// The real name.
    pub realname: String,
    /// The authentication token.
    pub token: String,
    /// The default project (at first the user's own "system" project, whose
    /// id is the user's uuid).
    pub default_project: String,
}

impl User {
    /// A user with a fresh uuid; the real name is made from the email.
    pub fn new(email: &str, token: &str) -> Self {
        let uuid = uuid::Uuid::new_v4().to_string();
        let local = email.split('@').next().unwrap_or(email);
        let realname = local
            .split(['.', '_', '-'])
            .filter(|p| !p.is_empty())
            .map(|p| {
                let mut chars = p.chars();
                match chars.next() {
                    Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                    None => String::new(),
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        User {
            default_project: uuid.clone(),
            uuid,
            email: email.to_string(),
            realname: if realname.is_empty() {
                email.to_string()
            } else {
                realname
            },
            token: token.to_string(),
        }
    }
}

/// A component of the cloud as Astakos registers it (`snf-manage
/// component-add`): Cyclades, Pithos... Its token authenticates the calls
/// Astakos reserves to services (`service_quotas`, commissions,
/// `service/user_catalogs`); it is no user's token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Component {
    /// Its name, e.g. `cyclades`: the services of the catalog with this
    /// component are its own, and it keys its commissions.
    pub name: String,
    /// Its authentication token.
    pub token: String,
}

/// A fresh random token.
pub fn new_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The users and components of the cloud, and the feedback users sent.
#[derive(Debug, Default)]
pub struct Identity {
    /// The users; the first one is the default user.
    users: RwLock<Vec<User>>,
    /// The components (services) and their tokens.
    components: RwLock<Vec<Component>>,
    /// Feedback messages received, as (user uuid, message, data).
    pub feedback: RwLock<Vec<(String, String, String)>>,
}

/// What a service's handler state must offer for requests to be
/// authenticated ([`crate::auth`]).
pub trait HasIdentity {
    /// The users and components.
    fn identity(&self) -> &Identity;
}

impl Identity {
    /// The identities of a cloud with these users.
    pub fn new(users: Vec<User>) -> Self {
        Identity {
            users: RwLock::new(users),
            ..Identity::default()
        }
    }

    /// Replaces the components.
    pub fn set_components(&self, components: Vec<Component>) {
        *self.components.write().unwrap_or_else(|e| e.into_inner()) = components;
    }

    /// The component a token belongs to.
    pub fn component_by_token(&self, token: &str) -> Option<Component> {
        let components = self.components.read().unwrap_or_else(|e| e.into_inner());
        components.iter().find(|c| c.token == token).cloned()
    }

    /// All components.
    pub fn all_components(&self) -> Vec<Component> {
        self.components
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The user a token belongs to.
    pub fn user_by_token(&self, token: &str) -> Option<User> {
        let users = self.users.read().unwrap_or_else(|e| e.into_inner());
        users.iter().find(|u| u.token == token).cloned()
    }

    /// The user of a uuid.
    pub fn user_by_uuid(&self, uuid: &str) -> Option<User> {
        let users = self.users.read().unwrap_or_else(|e| e.into_inner());
        users.iter().find(|u| u.uuid == uuid).cloned()
    }

    /// The user of a display name (email).
    pub fn user_by_email(&self, email: &str) -> Option<User> {
        let users = self.users.read().unwrap_or_else(|e| e.into_inner());
        users.iter().find(|u| u.email == email).cloned()
    }

    /// All users.
    pub fn all_users(&self) -> Vec<User> {
        self.users.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Changes a user's default project.
    pub fn set_default_project(&self, uuid: &str, project: &str) -> bool {
        let mut users = self.users.write().unwrap_or_else(|e| e.into_inner());
        match users.iter_mut().find(|u| u.uuid == uuid) {
            Some(user) => {
                user.default_project = project.to_string();
                true
            }
            None => false,
        }
    }
}
