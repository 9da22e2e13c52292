SUMMARY = "The content the kiosk image ships"
DESCRIPTION = "The core law set, process guides, service points, hall and map from the \
               firmware repository's content/ folder, installed into an empty data partition \
               on first boot by kiosk-first-content.service. Later content arrives signed by \
               the kiosk's own update path (server, USB stick, LAN push), never by a new image."
SECTION = "misc"
# Law texts are official works (Copyright Law art. 5); each file's provenance travels along.
LICENSE = "GPL-3.0-or-later"
LIC_FILES_CHKSUM = "file://LICENSE;md5=1ebbd3e34237af26da5dc08a4e440464 \
                    file://content/laws/PROVENANCE.md;md5=7681a6080bdfac25e35c885269feb463 \
                    file://content/map/PROVENANCE.md;md5=810d3c324afed8415cdb17ea489c2ae9"
CVE_PRODUCT = "kiosk-content"

require recipes-kiosk/kiosk/kiosk-source.inc

inherit allarch systemd

do_configure[noexec] = "1"
do_compile[noexec] = "1"

do_install() {
    install -d ${D}${datadir}/kiosk
    cp -R --no-preserve=ownership ${S}/content ${D}${datadir}/kiosk/content
    # The checkout's demo configuration is not the device's (kiosk installs /etc/kiosk/kiosk.toml).
    rm -f ${D}${datadir}/kiosk/content/kiosk.toml
    install -d ${D}${systemd_system_unitdir}
    install -m 0644 ${S}/ops/systemd/kiosk-first-content.service ${D}${systemd_system_unitdir}/
}

SYSTEMD_SERVICE:${PN} = "kiosk-first-content.service"

FILES:${PN} += "${datadir}/kiosk ${systemd_system_unitdir}"
RDEPENDS:${PN} += "kiosk"
