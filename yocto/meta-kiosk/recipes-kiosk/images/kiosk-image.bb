SUMMARY = "The kiosk's system image"
DESCRIPTION = "A minimal systemd image whose only user interface is the kiosk: read-only \
               root filesystem, /var/lib/kiosk on its own data partition (wic/kiosk.wks), \
               journald limits, time sync, no login prompt on the panel."
HOMEPAGE = "https://git.example.invalid/kiosk-firmware"
BUGTRACKER = "https://git.example.invalid/kiosk-firmware/issues"
SECTION = "images"
LICENSE = "MIT"
CVE_PRODUCT = "kiosk-image"

inherit core-image

IMAGE_FEATURES += "read-only-rootfs"
IMAGE_INSTALL = "packagegroup-core-boot \
                 kiosk \
                 kiosk-content \
                 kiosk-font \
                 kiosk-trust \
                 udev-hwdb"
IMAGE_LINGUAS = ""

WKS_FILE = "kiosk.wks"
IMAGE_FSTYPES += "wic"

ROOTFS_POSTPROCESS_COMMAND += "kiosk_panel_without_getty; kiosk_wait_for_clock;"

# The panel shows the kiosk and nothing else: no login prompt on tty1 under it (the serial
# console stays for technicians).
kiosk_panel_without_getty[doc] = "Masks the login prompt on tty1, under the kiosk's picture"
kiosk_panel_without_getty() {
    rm -f ${IMAGE_ROOTFS}${sysconfdir}/systemd/system/getty.target.wants/getty@tty1.service
    ln -sf /dev/null ${IMAGE_ROOTFS}${sysconfdir}/systemd/system/getty@tty1.service
}

# kiosk.service is ordered after systemd-time-wait-sync; enable it, bounded to 90 s (a site
# without network must still start: ops/systemd/systemd-time-wait-sync.service.d/kiosk.conf,
# installed by the kiosk package).
kiosk_wait_for_clock[doc] = "Enables systemd-time-wait-sync (bounded to 90 s by the kiosk package)"
kiosk_wait_for_clock() {
    install -d ${IMAGE_ROOTFS}${sysconfdir}/systemd/system/sysinit.target.wants
    ln -sf ${systemd_system_unitdir}/systemd-time-wait-sync.service \
        ${IMAGE_ROOTFS}${sysconfdir}/systemd/system/sysinit.target.wants/
}
