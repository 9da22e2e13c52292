SUMMARY = "The TUF root the kiosk trusts for content releases"
DESCRIPTION = "Installs /etc/kiosk/root.json, the deployment's root of trust made by \
               'kiosk publish --init'. The layer ships no key: set KIOSK_TRUSTED_ROOT to the \
               path of your roots/1.root.json, or the image does not build."
HOMEPAGE = "https://theupdateframework.io/"
BUGTRACKER = "https://git.example.invalid/kiosk-firmware/issues"
SECTION = "misc"
# The root of trust is the deployment's own document, not part of the firmware.
LICENSE = "CLOSED"
CVE_PRODUCT = "kiosk-trust"

KIOSK_TRUSTED_ROOT ??= ""
SRC_URI = ""

# A clear stop at parse time instead of an image that cannot verify any content.
# nooelint: oelint.task.noanonpython
python () {
    root = d.getVar("KIOSK_TRUSTED_ROOT")
    if not root:
        raise bb.parse.SkipRecipe("set KIOSK_TRUSTED_ROOT to the deployment's 1.root.json "
                                  "(kiosk publish --init writes it; see meta-kiosk/README.md)")
    d.prependVar("FILESEXTRAPATHS", os.path.dirname(root) + ":")
    d.appendVar("SRC_URI", " file://" + os.path.basename(root))
}

inherit allarch

do_configure[noexec] = "1"
do_compile[noexec] = "1"

do_install() {
    install -d ${D}${sysconfdir}/kiosk
    install -m 0644 ${UNPACKDIR}/$(basename ${KIOSK_TRUSTED_ROOT}) ${D}${sysconfdir}/kiosk/root.json
}

FILES:${PN} += "${sysconfdir}/kiosk/root.json"
