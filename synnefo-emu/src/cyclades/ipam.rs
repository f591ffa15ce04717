//! Address management: IPv4 CIDRs and pools, and IPv6 addresses made from
//! a port's MAC address (EUI-64), as Synnefo assigns them.

use std::net::{Ipv4Addr, Ipv6Addr};

/// An IPv4 network: base address and prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr4 {
    /// The network address.
    pub base: u32,
    /// The prefix length.
    pub prefix: u8,
}

impl Cidr4 {
    /// Parses `a.b.c.d/n`; host bits must be zero.
    pub fn parse(text: &str) -> Option<Cidr4> {
        let (addr, prefix) = text.split_once('/')?;
        let addr: Ipv4Addr = addr.trim().parse().ok()?;
        let prefix: u8 = prefix.trim().parse().ok().filter(|p| *p <= 32)?;
        let base = u32::from(addr);
        if base & !Self::mask(prefix) != 0 {
            return None;
        }
        Some(Cidr4 { base, prefix })
    }

    fn mask(prefix: u8) -> u32 {
        if prefix == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(prefix))
        }
    }

    /// The broadcast address.
    pub fn broadcast(&self) -> u32 {
        self.base | !Self::mask(self.prefix)
    }

    /// Whether an address is inside.
    pub fn contains(&self, addr: u32) -> bool {
        addr & Self::mask(self.prefix) == self.base
    }

    /// The default pools: every host address but the gateway.
    pub fn default_pools(&self, gateway: Option<u32>) -> Vec<(u32, u32)> {
        let (first, last) = (self.base + 1, self.broadcast().saturating_sub(1));
        match gateway {
            Some(g) if g == first => vec![(g + 1, last)],
            Some(g) if g == last => vec![(first, g - 1)],
            Some(g) if g > first && g < last => vec![(first, g - 1), (g + 1, last)],
            _ => vec![(first, last)],
        }
    }
}

/// Dotted text of an IPv4 address.
pub fn v4(addr: u32) -> String {
    Ipv4Addr::from(addr).to_string()
}

/// Parses a dotted IPv4 address.
pub fn parse_v4(text: &str) -> Option<u32> {
    text.trim().parse::<Ipv4Addr>().ok().map(u32::from)
}

/// Parses an IPv6 network `prefix/64`, returning the prefix address.
pub fn parse_v6_64(text: &str) -> Option<Ipv6Addr> {
    let (addr, prefix) = text.split_once('/')?;
    let addr: Ipv6Addr = addr.trim().parse().ok()?;
    if prefix.trim() != "64" || u128::from(addr) & u128::from(u64::MAX) != 0 {
        return None;
    }
    Some(addr)
}

/// The address a port gets in an IPv6 /64 by SLAAC: the prefix and the
/// modified EUI-64 of its MAC.
pub fn eui64(prefix: Ipv6Addr, mac: &str) -> Option<String> {
    let bytes: Vec<u8> = mac
        .split(':')
        .map(|b| u8::from_str_radix(b, 16))
        .collect::<Result<_, _>>()
        .ok()?;
    let [a, b, c, d, e, f] = <[u8; 6]>::try_from(bytes).ok()?;
    let iid = u64::from_be_bytes([a ^ 0x02, b, c, 0xff, 0xfe, d, e, f]);
    let addr = (u128::from(prefix) & !u128::from(u64::MAX)) | u128::from(iid);
    Some(Ipv6Addr::from(addr).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_and_pools() {
        let c = Cidr4::parse("192.168.1.0/24").unwrap();
        assert_eq!(v4(c.broadcast()), "192.168.1.255");
        assert!(Cidr4::parse("192.168.1.1/24").is_none());
        assert!(Cidr4::parse("nonsense").is_none());
        let g = parse_v4("192.168.1.1");
        let pools = c.default_pools(g);
        assert_eq!(pools.len(), 1);
        assert_eq!(v4(pools[0].0), "192.168.1.2");
        assert_eq!(v4(pools[0].1), "192.168.1.254");
        assert_eq!(c.default_pools(parse_v4("192.168.1.10")).len(), 2);
    }

    #[test]
    fn slaac_addresses() {
        let p = parse_v6_64("2001:db8:1::/64").unwrap();
        assert_eq!(
            eui64(p, "aa:00:00:01:02:03").unwrap(),
            "2001:db8:1:0:a800:ff:fe01:203"
        );
        assert!(parse_v6_64("2001:db8:1::/48").is_none());
    }
}
