App({
  globalData: { greeting: 'Hello, Lily' },
  onLaunch(options) {
    console.log('launched at', options.path);
  },
});
