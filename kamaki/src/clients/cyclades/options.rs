//! The choices and optional arguments of the Cyclades calls.

use std::fmt;
use std::str::FromStr;

use crate::clients::ClientError;

/// Defines a closed set of API words with `as_str`, `Display`, and a
/// case-insensitive `FromStr`.
macro_rules! words {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in the API's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word the API uses.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ClientError;
            fn from_str(s: &str) -> Result<Self, ClientError> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(s))
                    .ok_or_else(|| {
                        let known: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        ClientError::InvalidRequest(format!(
                            "{s:?} is not one of {}", known.join(", ")
                        ))
                    })
            }
        }
    };
}

words!(
    /// The firewall profile of a server's public connection.
    FirewallProfile {
        /// Incoming traffic is filtered.
        Enabled = "ENABLED",
        /// No filtering.
        Disabled = "DISABLED",
        /// Strict filtering.
        Protected = "PROTECTED",
    }
);

words!(
    /// The kinds of console (kamaki's `CONSOLE_TYPES`).
    ConsoleType {
        /// Plain VNC.
        Vnc = "vnc",
        /// VNC over WebSocket.
        VncWs = "vnc-ws",
        /// VNC over secure WebSocket.
        VncWss = "vnc-wss",
    }
);

words!(
    /// The kinds of private network (kamaki's `network_types`).
    NetworkType {
        /// A deployment-defined kind.
        Custom = "CUSTOM",
        /// Isolated by MAC filtering.
        MacFiltered = "MAC_FILTERED",
        /// Routed, without IP.
        IpLessRouted = "IP_LESS_ROUTED",
        /// On its own VLAN.
        PhysicalVlan = "PHYSICAL_VLAN",
    }
);

/// The optional arguments of
/// [`CycladesNetworkClient::create_network`](super::CycladesNetworkClient::create_network).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateNetworkOptions {
    /// Its name.
    pub name: Option<String>,
    /// Whether it is shared (Cyclades ignores it).
    pub shared: Option<bool>,
    /// The project whose quota it is charged to.
    pub project_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_parse_case_insensitively() {
        assert_eq!(
            "protected".parse::<FirewallProfile>().unwrap(),
            FirewallProfile::Protected
        );
        assert_eq!(ConsoleType::VncWss.to_string(), "vnc-wss");
        assert_eq!(
            "MAC_filtered".parse::<NetworkType>().unwrap(),
            NetworkType::MacFiltered
        );
        let err = "spice".parse::<ConsoleType>().unwrap_err();
        assert!(err.to_string().contains("vnc, vnc-ws, vnc-wss"));
    }
}
