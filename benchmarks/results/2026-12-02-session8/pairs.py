import json,sys,statistics as st,glob
for label,pat in [(a.split('=')[0],a.split('=')[1]) for a in sys.argv[1:]]:
    rs=[];fd=[];bd=[]
    for f in sorted(sum([glob.glob(p) for p in pat.split(',')],[])):
        r=json.load(open(f))['runs'][0]; e=r['extras']
        rs+= [a/b for a,b in zip(r['iterations'],r['limits'])]
        if 'fsync, ms each, none attached' in e:
            fd.append(e['fsync, ms each, 3 async projections']-e['fsync, ms each, none attached'])
            bd.append(e['between two fsyncs, ms, 3 async projections']-e['between two fsyncs, ms, none attached'])
    q=st.quantiles(rs,n=4)
    print('%-6s pairs %3d median %.3f mean %.3f q %.3f-%.3f | fsync diff med %s between diff med %s'%(label,len(rs),st.median(rs),st.mean(rs),q[0],q[2], fd and '%.3f'%st.median(fd), bd and '%.3f'%st.median(bd)))
