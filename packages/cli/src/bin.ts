#!/usr/bin/env node
console.log('thoughtspace');
