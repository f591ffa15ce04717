"""openstacksdk against synnefo-emu through Astakos' identity v2.0: list,
create, show and delete of the Cyclades resources. Prints PASS/FAIL per
check; exits 1 if any failed.

    python openstacksdk_checks.py AUTH_URL TOKEN
"""
import sys
import time

import openstack

URL, TOKEN = sys.argv[1], sys.argv[2]
conn = openstack.connect(
    auth_type="v2token",
    auth={"auth_url": URL, "token": TOKEN},
    region_name="default",
    identity_api_version="2",
)
failed = 0
passed = 0


def check(name, fn):
    global failed, passed
    try:
        fn()
        passed += 1
        print("PASS", name)
    except Exception as e:  # a check that raises is a failure, with why
        failed += 1
        print("FAIL", name, type(e).__name__, str(e)[:400])


def wait(get, status, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        item = get()
        if item.status == status:
            return item
        time.sleep(0.3)
    raise AssertionError("never reached %s" % status)


state = {}


def flavors():
    flavors = list(conn.compute.flavors())
    assert flavors and all(f.ram > 0 and f.vcpus > 0 for f in flavors)
    state["flavor"] = sorted(flavors, key=lambda f: (f.ram, f.disk))[0]
    shown = conn.compute.get_flavor(state["flavor"].id)
    assert shown.name == state["flavor"].name


def images():
    images = list(conn.image.images())
    assert images and all(i.name and i.disk_format for i in images)
    state["image"] = images[0]
    # Plankton serves no image data (GET /images/ID is 501, as in Synnefo):
    # an image is shown from the detailed listing.
    found = [i for i in conn.image.images(name=images[0].name) if i.id == images[0].id]
    assert found and found[0].name == images[0].name


def image_register_delete():
    # Plankton registers an image from a Pithos object (its location); the
    # object goes up through the SDK's object-store session. Pithos' catalog
    # URL names no account (as Synnefo's): the path carries the user's uuid.
    uuid = conn.current_user_id
    store = conn.object_store
    assert store.put("/%s/images" % uuid).status_code in (201, 202)
    put = store.put("/%s/images/sdk.img" % uuid, data=b"\x00" * 4096,
                    headers={"Content-Type": "application/octet-stream"})
    assert put.status_code == 201, put.text
    made = conn.image.post(
        "/images/", headers={
            "X-Image-Meta-Name": "sdk-image",
            "X-Image-Meta-Location": "pithos://%s/images/sdk.img" % uuid,
            "X-Image-Meta-Disk-Format": "diskdump",
            "X-Image-Meta-Container-Format": "bare",
        })
    assert made.status_code in (200, 201), made.text
    listed = [i for i in conn.image.images() if i.name == "sdk-image"]
    assert len(listed) == 1 and listed[0].size == 4096, listed
    conn.image.delete_image(listed[0].id)
    assert not [i for i in conn.image.images() if i.name == "sdk-image"]


def network_subnet_port():
    # Synnefo needs a network type, which openstacksdk's Network does not
    # send: the body goes through the SDK's own session.
    made = conn.network.post(
        "/networks", json={"network": {"name": "sdk-net", "type": "MAC_FILTERED"}})
    assert made.status_code == 201, made.text
    net = conn.network.get_network(made.json()["network"]["id"])
    assert net.name == "sdk-net" and net.id
    subnet = conn.network.create_subnet(
        network_id=net.id, cidr="10.7.0.0/24", ip_version=4, name="sdk-sub")
    assert subnet.cidr == "10.7.0.0/24"
    shown = conn.network.get_network(net.id)
    assert shown.subnet_ids == [subnet.id], shown.subnet_ids
    assert any(n.id == net.id for n in conn.network.networks())
    port = conn.network.create_port(network_id=net.id, name="sdk-port")
    assert port.network_id == net.id
    assert conn.network.get_port(port.id).name == "sdk-port"
    conn.network.delete_port(port.id)
    state["net"], state["subnet"] = net, subnet


def floating_ip():
    public = [n for n in conn.network.networks() if n.is_router_external]
    assert public, "a public network"
    ip = conn.network.create_ip(floating_network_id=public[0].id)
    assert ip.floating_ip_address
    assert conn.network.get_ip(ip.id).id == ip.id
    conn.network.delete_ip(ip.id)


def server():
    srv = conn.compute.create_server(
        name="sdk-vm", flavor_id=state["flavor"].id, image_id=state["image"].id)
    srv = wait(lambda: conn.compute.get_server(srv.id), "ACTIVE")
    assert srv.name == "sdk-vm"
    assert any(s.id == srv.id for s in conn.compute.servers())
    state["server"] = srv.id


def volume():
    # Synnefo names volumes display_name, as Cinder's v1 did.
    made = conn.block_storage.post(
        "/volumes", json={"volume": {"size": 1, "display_name": "sdk-vol",
                                     "server_id": state["server"]}})
    assert made.status_code in (200, 202), made.text
    vol = conn.block_storage.get_volume(made.json()["volume"]["id"])
    assert any(v.id == vol.id for v in conn.block_storage.volumes())
    assert conn.block_storage.get_volume(vol.id).size == 1
    conn.compute.delete_server(state["server"])


def cleanup():
    # Synnefo refuses to delete a subnet (400); the network takes it along.
    try:
        conn.network.delete_subnet(state["subnet"].id)
        raise AssertionError("a subnet was deleted")
    except openstack.exceptions.BadRequestException:
        pass
    conn.network.delete_network(state["net"].id)
    assert not any(n.id == state["net"].id for n in conn.network.networks())


for name, fn in [("openstacksdk flavor list/show", flavors),
                 ("openstacksdk image list/show", images),
                 ("openstacksdk image register/delete", image_register_delete),
                 ("openstacksdk network, subnet, port", network_subnet_port),
                 ("openstacksdk floating ip", floating_ip),
                 ("openstacksdk server create/list/delete", server),
                 ("openstacksdk volume create/list/show", volume),
                 ("openstacksdk network delete", cleanup)]:
    check(name, fn)
print("openstacksdk: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
