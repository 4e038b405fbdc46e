"""Residency verification methods: census files, one-time codes, residents' requests."""
