#!/bin/sh
# Build the password file from the environment at start (secrets never live in the image
# or the repository), then run the broker.
set -eu
umask 077
: > /mosquitto/data/passwords
mosquitto_passwd -b /mosquitto/data/passwords "$MQTT_INGESTOR_USER" "$MQTT_INGESTOR_PASSWORD"
mosquitto_passwd -b /mosquitto/data/passwords "$MQTT_DEVICE_USER" "$MQTT_DEVICE_PASSWORD"
chown mosquitto:mosquitto /mosquitto/data/passwords
exec /usr/sbin/mosquitto -c /mosquitto/config/mosquitto.conf
